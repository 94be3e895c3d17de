package io.ferry.job;

import io.ferry.copy.ChangeFeed;
import io.ferry.device.BlockDevice;
import io.ferry.endpoint.Destination;
import io.ferry.error.FerryException;
import io.ferry.error.Reason;
import java.io.IOException;

/**
 * The online-conversion side of one copy job (CopyOptions.online): exports the destination as
 * soon as it is open and shows where on the job; gives the engine the session's feed and
 * destination; and at the end either hands the destination over to the export (committed) or
 * stops the export (any other ending), before the destination may be abandoned.
 */
final class OnlineRun {

  private final OnlineConversions.Session session;

  private OnlineRun(OnlineConversions.Session session) {
    this.session = session;
  }

  /** Exports the destination now and records the address on the job. */
  static OnlineRun start(JobEntry entry, RunContext ctx, BlockDevice source, Destination dest)
      throws IOException {
    OnlineConversions conversions = ctx.online().get();
    if (conversions == null) {
      throw new FerryException(Reason.UNIMPLEMENTED,
          "options.online: this agent has no online conversion");
    }
    OnlineConversions.Session s = conversions.open(entry.job, source, dest.device());
    ctx.store().publish(entry, b -> b.setExportUri(s.uri()).setExportId(s.exportId()));
    ctx.store().event(entry, "export", "destination served at " + s.uri() + " (export "
        + s.exportId() + ")");
    return new OnlineRun(s);
  }

  /** The source held still for one full pass (instead of the job's usual change feed). */
  ChangeFeed feed() {
    return session.feed();
  }

  /** What the engine writes to: never over what clients wrote. */
  BlockDevice engineDestination() {
    return session.engineDestination();
  }

  /** Background pass and verification over: call before the source closes. */
  void completed() throws IOException {
    session.completed();
  }

  /** The job committed: the export serves on and owns the destination from now on. */
  void handOver() {
    session.keep();
  }

  /** The job ends without completing: the export stops before the destination is abandoned. */
  void stop() {
    session.close();
  }
}
