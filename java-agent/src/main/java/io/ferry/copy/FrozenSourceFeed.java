package io.ferry.copy;

import io.ferry.device.BlockDevice;
import java.io.IOException;
import java.util.List;
import java.util.Map;

/**
 * The change feed of a source that cannot change (an RBD snapshot, a source whose writers are
 * held): one full pass of its allocated extents, then empty passes. Creates nothing; the device
 * stays the caller's.
 */
public final class FrozenSourceFeed implements ChangeFeed {

  private final BlockDevice source;

  public FrozenSourceFeed(BlockDevice source) {
    this.source = source;
  }

  @Override
  public Pass start(Map<String, String> state) throws IOException {
    return new Pass(source, source.extents(0, source.size()));
  }

  @Override
  public Pass next(boolean last) {
    return new Pass(source, List.of());
  }

  @Override
  public long pendingBytes() {
    return 0;
  }

  @Override
  public Map<String, String> state() {
    return Map.of();
  }

  @Override
  public void close() {}
}
