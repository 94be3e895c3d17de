package io.ferry.job;

import io.ferry.copy.CopyPhase;
import io.ferry.copy.CopyProgress;
import io.ferry.proto.v1.JobState;
import io.ferry.proto.v1.Progress;

/** Translations between the copy engine's terms and the job's. */
final class Progresses {

  private Progresses() {}

  /** The job state an engine phase runs in; null for DONE (the runner commits next). */
  static JobState stateOf(CopyPhase phase) {
    return switch (phase) {
      case SYNC -> JobState.SYNCING;
      case MERGE, FINAL -> JobState.MERGING;
      case VERIFY -> JobState.VERIFYING;
      case DONE -> null;
    };
  }

  /** The API's progress from the engine's, keeping what the engine does not know. */
  static Progress merge(Progress previous, CopyProgress p, long bandwidthLimit) {
    long left = Math.max(0, p.bytesTotal() - p.bytesDone()) + p.dirtyBytes();
    long eta = p.rateBytesPerSec() > 0 ? (left + p.rateBytesPerSec() - 1) / p.rateBytesPerSec() : -1;
    return previous.toBuilder()
        .setBytesDone(p.bytesDone())
        .setBytesTotal(p.bytesTotal())
        .setDirtyBytes(p.dirtyBytes())
        .setRateBytesPerSec(p.rateBytesPerSec())
        .setEtaSeconds(eta)
        .setPass(p.pass())
        .setBytesWritten(p.bytesWritten())
        .setBytesCopied(p.bytesCopied())
        .setHoleBytes(p.holeBytes())
        .setRegionsMerged(p.regionsMerged())
        .setBandwidthLimit(bandwidthLimit)
        .build();
  }
}
