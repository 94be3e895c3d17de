package io.ferry.online;

import io.ferry.copy.ChangeFeed;
import io.ferry.device.BlockDevice;
import io.ferry.device.WriteTap;
import io.ferry.copy.FrozenSourceFeed;
import io.ferry.endpoint.SharedDevice;
import java.io.IOException;
import java.util.Map;

/**
 * The source of an online conversion must not change: regions are converted from it at any time
 * (on demand, in the background) and a change could not be told apart from a client's write.
 * This feed holds the writers of the agent's shared source device for the whole conversion (an
 * RBD source is read from a snapshot, which cannot change) and yields one full pass.
 */
final class HeldSourceFeed implements ChangeFeed {

  private final BlockDevice source;
  /** The passes: one full pass of a source that cannot change, then empty ones. */
  private final FrozenSourceFeed passes;
  private WriteTap.Hold hold;

  HeldSourceFeed(BlockDevice source) {
    this.source = source;
    this.passes = new FrozenSourceFeed(source);
  }

  @Override
  public synchronized Pass start(Map<String, String> state) throws IOException {
    if (hold == null && source instanceof SharedDevice shared) {
      hold = shared.tap().hold();
    }
    return passes.start(state);
  }

  @Override
  public Pass next(boolean last) throws IOException {
    return passes.next(last);
  }

  @Override
  public long pendingBytes() {
    return passes.pendingBytes();
  }

  @Override
  public Map<String, String> state() {
    return passes.state();
  }

  @Override
  public synchronized void close() {
    if (hold != null) {
      hold.close();
      hold = null;
    }
  }
}
