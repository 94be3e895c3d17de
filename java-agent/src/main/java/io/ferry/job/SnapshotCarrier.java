package io.ferry.job;

import io.ferry.copy.Throttle;
import io.ferry.endpoint.Destination;
import io.ferry.endpoint.SnapshotListener;
import java.util.function.BooleanSupplier;

/**
 * copy_snapshots: carries the source's snapshots to the destination before the engine copies
 * the head (the job is still PREPARING), and records each one as a job event. Runs again after a
 * restart until the engine has checkpointed: the resolver skips the snapshots the destination
 * has already.
 */
final class SnapshotCarrier {

  private final JobEntry entry;
  private final RunContext ctx;
  private final Throttle throttle;
  private final BooleanSupplier stopping;

  /**
   * @param throttle the job's own cap and the host's budget together
   * @param stopping true once the job is cancelled, stopped or crashed: the carrying stops
   */
  SnapshotCarrier(JobEntry entry, RunContext ctx, Throttle throttle, BooleanSupplier stopping) {
    this.entry = entry;
    this.ctx = ctx;
    this.throttle = throttle;
    this.stopping = stopping;
  }

  /**
   * Carries every snapshot; returns the one the head is copied as a diff from (the feed's base),
   * or null when the source has none.
   */
  String carry(Destination dest) throws Exception {
    String base = ctx.resolver().copySnapshots(entry.job.getSource(), dest, throttle,
        new SnapshotListener() {
          @Override
          public boolean stopping() {
            return stopping.getAsBoolean();
          }

          @Override
          public void carried(String name, long bytes, boolean isProtected) {
            ctx.store().event(entry, "snapshot", "carried snapshot " + name + " (" + bytes
                + " data bytes" + (isProtected ? ", protected" : "") + ")");
          }
        });
    if (base != null) {
      ctx.store().event(entry, "snapshot", "snapshots carried; the head is copied as the diff from "
          + base);
    }
    return base;
  }
}
