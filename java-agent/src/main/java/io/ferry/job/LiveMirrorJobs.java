package io.ferry.job;

import com.google.protobuf.ByteString;
import io.ferry.error.FerryException;
import io.ferry.error.Reason;
import io.ferry.proto.v1.ConvergencePolicy;
import io.ferry.proto.v1.Job;
import io.ferry.proto.v1.JobKind;
import io.ferry.proto.v1.JobState;
import io.ferry.proto.v1.LiveMirrorOptions;
import io.ferry.proto.v1.Progress;
import io.ferry.proto.v1.StartLiveMirrorRequest;
import io.ferry.virt.Convergence;
import io.ferry.virt.DestinationDisk;
import io.ferry.virt.LiveMirror;
import io.ferry.virt.IoTune;
import io.ferry.virt.LiveMirrorService;
import io.ferry.virt.MirrorDestinations;
import io.ferry.virt.MirrorRequest;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Live-mirror jobs: accepted idempotently by request id, recorded in the journal (domain, disk,
 * destination, options: all a restarted agent needs), run by the virt layer without a scheduler
 * slot (QEMU moves the data), and re-attached after an agent restart.
 */
final class LiveMirrorJobs implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(LiveMirrorJobs.class);

  private final JobStore store;
  private final LiveMirrorService service;
  private final MirrorDestinations destinations;
  private final HostBandwidth bandwidth;
  private final Map<String, JobEntry> byRequestId = new HashMap<>();

  LiveMirrorJobs(JobStore store, LiveMirrorService service, MirrorDestinations destinations,
      HostBandwidth bandwidth) {
    this.store = store;
    this.service = service;
    this.destinations = destinations;
    this.bandwidth = bandwidth;
  }

  /** A purged job: its request id may be used again, and the entry is not kept. */
  synchronized void forget(String jobId) {
    byRequestId.values().removeIf(e -> e.id.equals(jobId));
  }

  synchronized Job start(StartLiveMirrorRequest r) {
    if (r.getRequestId().isBlank()) {
      throw FerryException.invalid("request_id", "is required; a retry with the same id returns "
          + "the same job");
    }
    ByteString digest = RequestDigest.of(r);
    JobEntry seen = byRequestId.get(r.getRequestId());
    if (seen != null) {
      if (seen.requestDigest.equals(digest)) {
        return seen.job;
      }
      throw new FerryException(Reason.ALREADY_EXISTS, "request_id: '" + r.getRequestId()
          + "' was used for a different request (job " + seen.id + "); use a new request id");
    }
    DestinationDisk dest = destinations.resolve(r.getDestination(), r.getDestinationXml());
    JobEntry e = new JobEntry(newJob(r));
    e.requestDigest = digest;
    store.add(e);
    byRequestId.put(r.getRequestId(), e);
    store.transition(e, JobState.PREPARING, "");
    run(e, dest, false);
    return e.job;
  }

  /** At agent start: supervises again every unfinished live mirror of the journal. */
  synchronized void reattachAll() {
    for (JobEntry e : store.all()) {
      Job j = e.job;
      if (j.getKind() != JobKind.LIVE_MIRROR || JobStateMachine.isTerminal(j.getState())) {
        continue;
      }
      if (!j.getRequestId().isEmpty()) {
        byRequestId.put(j.getRequestId(), e);
      }
      try {
        String xml = j.getLabelsOrDefault(DEST_XML_LABEL, "");
        DestinationDisk dest = destinations.resolve(j.getDestination(), xml);
        store.publish(e, b -> b.setProgress(b.getProgress().toBuilder()
            .setRestarts(b.getProgress().getRestarts() + 1)));
        run(e, dest, true);
        if (j.getState() == JobState.CANCELLING && e.mirror != null) {
          e.mirror.cancel(); // the cancel was accepted before the restart
        }
      } catch (FerryException ex) {
        log.error("job {}: cannot re-attach to its live mirror: {}", e.id, ex.getMessage());
        store.transition(e, JobState.FAILED, "fail", "re-attach failed: " + ex.getMessage(),
            b -> b.setError(JobErrors.error(ex.reason().name(), ex.getMessage())));
      }
    }
  }

  /**
   * Starts or re-attaches the mirror with its share of the host budget, which it holds until it
   * ends.
   */
  private void run(JobEntry e, DestinationDisk dest, boolean reattach) {
    LiveMirrorRunner runner = new LiveMirrorRunner(e, store);
    HostBandwidth.Lease lease = bandwidth.mirror(e.id,
        e.job.getMirrorOptions().getBandwidthBytesPerSec(), runner::applyShare);
    runner.lease(lease);
    e.mirror = runner;
    try {
      MirrorRequest req = request(e, dest, lease.granted());
      LiveMirror m = reattach ? service.reattach(e.id, req, runner)
          : service.start(e.id, req, runner);
      runner.attach(m);
      m.outcome().whenComplete((o, x) -> lease.close());
      if (reattach) {
        m.setBandwidth(lease.granted()); // the share may differ from the speed left in QEMU
      }
    } catch (FerryException ex) {
      lease.close();
      e.mirror = null;
      if (reattach) {
        restoreLimits(e, runner);
      }
      store.transition(e, JobState.FAILED, "fail", ex.getMessage(),
          b -> b.setError(JobErrors.error(ex.reason().name(), ex.getMessage())));
      if (!reattach) {
        throw ex;
      }
    }
  }

  /** A job that cannot be supervised again still gives the guest its own I/O limits back. */
  private void restoreLimits(JobEntry e, LiveMirrorRunner runner) {
    IoTune saved = LiveMirrorRunner.savedLimits(e);
    if (saved == null) {
      return;
    }
    try {
      service.hypervisor().setIoTune(e.job.getDomain(), e.job.getDiskTarget(), saved);
      runner.onGuestLimitsSaved(null);
    } catch (FerryException ex) {
      log.error("job {}: could not restore the guest's I/O limits {}: {}", e.id, saved,
          ex.getMessage());
    }
  }

  /** Where a caller-prepared destination XML is kept in the job record for a restart. */
  static final String DEST_XML_LABEL = "ferry.io/destination-xml";

  private MirrorRequest request(JobEntry e, DestinationDisk dest, long share) {
    Job j = e.job;
    LiveMirrorOptions o = j.getMirrorOptions();
    ConvergencePolicy c = o.getConvergence();
    Convergence policy = new Convergence(Duration.ofSeconds(c.getReadyTimeoutSeconds()),
        c.getRaiseBandwidth(), bandwidth.total(), c.getWriteBlocking(), c.getStartWriteBlocking(),
        c.getThrottleGuest(), c.getGuestThrottleBytesPerSec());
    return new MirrorRequest(j.getDomain(), j.getDiskTarget(), dest,
        share, o.getGranularity(), o.getBufferSize(), policy, o.getPivot(),
        LiveMirrorRunner.savedLimits(e));
  }

  private Job newJob(StartLiveMirrorRequest r) {
    var now = store.now();
    Job.Builder b = Job.newBuilder()
        .setId(UUID.randomUUID().toString())
        .setRequestId(r.getRequestId())
        .setKind(JobKind.LIVE_MIRROR)
        .setState(JobState.QUEUED)
        .setDestination(r.getDestination())
        .setMirrorOptions(r.getOptions())
        .setDomain(r.getDomain())
        .setDiskTarget(r.getDiskTarget())
        .putAllLabels(r.getLabelsMap())
        .setProgress(Progress.newBuilder().setEtaSeconds(-1)
            .setBandwidthLimit(r.getOptions().getBandwidthBytesPerSec()))
        .setCreated(now)
        .setUpdated(now);
    if (!r.getDestinationXml().isBlank()) {
      b.putLabels(DEST_XML_LABEL, r.getDestinationXml());
    }
    return b.build();
  }

  /** Agent shutdown: stop supervising; the block jobs run on and are re-attached at start. */
  @Override
  public void close() {
    service.close();
  }
}
