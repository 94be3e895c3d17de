package io.ferry.job;

import io.ferry.error.FerryException;
import io.ferry.proto.v1.JobState;
import io.ferry.journal.proto.IoLimits;
import io.ferry.virt.IoTune;
import io.ferry.virt.LiveMirror;
import io.ferry.virt.MirrorEvent;
import io.ferry.virt.MirrorListener;
import io.ferry.virt.MirrorProgress;
import io.ferry.virt.MirrorState;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Carries one live-mirror job: what the virt layer's {@link LiveMirror} reports becomes the
 * job's states (through {@link JobStore#transition}, persisted before published), progress
 * (published only) and events (persisted).
 */
final class LiveMirrorRunner implements MirrorListener {

  private static final Logger log = LoggerFactory.getLogger(LiveMirrorRunner.class);

  private final JobEntry entry;
  private final JobStore store;
  private volatile LiveMirror mirror;
  private volatile HostBandwidth.Lease lease;

  LiveMirrorRunner(JobEntry entry, JobStore store) {
    this.entry = entry;
    this.store = store;
  }

  void attach(LiveMirror m) {
    this.mirror = m;
  }

  void cancel() {
    LiveMirror m = mirror;
    if (m != null) {
      m.cancel();
    }
  }

  /** Pivots at READY (now, if READY already). */
  void pivot() {
    LiveMirror m = mirror;
    if (m != null) {
      m.pivot();
    }
  }

  /** The mirror's share of the host budget; set before the mirror starts. */
  void lease(HostBandwidth.Lease l) {
    this.lease = l;
  }

  /** The job's own cap changed: the mirror gets that, or less if the host budget says so. */
  void setBandwidth(long bytesPerSec) {
    HostBandwidth.Lease l = lease;
    applyShare(l == null ? bytesPerSec : l.want(bytesPerSec));
  }

  /** A new share of the host budget (others started, ended or changed their caps). */
  void applyShare(long bytesPerSec) {
    LiveMirror m = mirror;
    if (m != null) {
      m.setBandwidth(bytesPerSec);
    }
  }

  @Override
  public long onRaiseBandwidth() {
    HostBandwidth.Lease l = lease;
    return l == null ? -1 : l.want(0);
  }

  @Override
  public void onState(MirrorState state, String detail) {
    JobState to = switch (state) {
      case SYNCING -> JobState.SYNCING;
      case READY -> JobState.READY;
      case PIVOTING -> JobState.PIVOTING;
      case CANCELLING -> JobState.CANCELLING;
      case COMPLETED -> JobState.COMPLETED;
      case CANCELLED -> JobState.CANCELLED;
      case FAILED -> JobState.FAILED;
    };
    try {
      if (entry.job.getState() == to) {
        store.event(entry, "mirror", detail);
      } else if (to == JobState.FAILED) {
        String code = mirror != null && mirror.outcome().isDone()
            ? String.valueOf(mirror.outcome().join().reason()) : "INTERNAL";
        store.transition(entry, to, "fail", detail,
            b -> b.setError(JobErrors.error(failureCode(detail, code), detail)));
      } else {
        store.transition(entry, to, "mirror", detail, b -> b);
      }
    } catch (FerryException e) {
      log.warn("job {}: live mirror state {} not recorded: {}", entry.id, state, e.getMessage());
    }
    if (JobStateMachine.isTerminal(to)) {
      entry.mirror = null;
    }
  }

  /** The outcome is completed after the last state; "did not converge" is known by its text. */
  private static String failureCode(String detail, String code) {
    if (detail.startsWith("did not converge")) {
      return "RESOURCE_EXHAUSTED";
    }
    return "null".equals(code) ? "FAILED_PRECONDITION" : code;
  }

  @Override
  public void onProgress(MirrorProgress p) {
    store.publish(entry, b -> b.setProgress(b.getProgress().toBuilder()
        .setBytesDone(p.cur())
        .setBytesTotal(p.end())
        .setDirtyBytes(p.remaining())
        .setRateBytesPerSec(p.copyRate())
        .setEtaSeconds(p.etaSeconds())
        .setGuestDirtyRate(p.dirtyRate())
        .setBandwidthLimit(p.bandwidthLimit())
        .setReady(p.ready())));
  }

  /** Journals the limits (or their restoration) before the virt layer goes on; may throw. */
  @Override
  public void onGuestLimitsSaved(IoTune saved) {
    synchronized (entry.lock) {
      entry.savedIoLimits = saved == null ? null : IoLimits.newBuilder()
          .setTotalBytesSec(saved.totalBytesSec()).setReadBytesSec(saved.readBytesSec())
          .setWriteBytesSec(saved.writeBytesSec()).build();
      store.event(entry, "throttle", saved == null ? "guest I/O limits restored"
          : "guest I/O limits " + saved + " saved before the throttle");
    }
  }

  /** The limits a previous agent saved and may not have restored; null when none. */
  static IoTune savedLimits(JobEntry e) {
    IoLimits l = e.savedIoLimits;
    return l == null ? null
        : new IoTune(l.getTotalBytesSec(), l.getReadBytesSec(), l.getWriteBytesSec());
  }

  @Override
  public void onEvent(MirrorEvent e) {
    try {
      store.event(entry, e.kind(), e.message());
    } catch (FerryException ex) {
      log.warn("job {}: event not recorded: {}", entry.id, ex.getMessage());
    }
  }
}
