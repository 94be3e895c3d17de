package io.ferry.job;

import com.google.protobuf.ByteString;
import io.ferry.device.BlockDevice;
import io.ferry.endpoint.EndpointResolver;
import io.ferry.error.FerryException;
import io.ferry.error.Reason;
import io.ferry.proto.v1.Endpoint;
import io.ferry.proto.v1.Job;
import io.ferry.proto.v1.JobKind;
import io.ferry.proto.v1.JobState;
import io.ferry.proto.v1.Progress;
import io.ferry.proto.v1.StartCopyRequest;
import java.io.IOException;
import java.time.Clock;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;

/**
 * Accepts copy requests: a repeated request id returns its job; every semantic check (source
 * exists, destination may be created or is large enough) runs before anything is recorded or
 * created, so a refused request leaves no trace.
 */
final class CopyStarter {

  /** The job for a request, and whether this call created it. */
  record Started(JobEntry entry, boolean isNew) {}

  private final JobStore store;
  private final EndpointResolver resolver;
  private final Clock clock;
  private final Map<String, JobEntry> byRequestId = new HashMap<>();

  CopyStarter(JobStore store, EndpointResolver resolver, Clock clock) {
    this.store = store;
    this.resolver = resolver;
    this.clock = clock;
  }

  /** Remembers the request id of a job loaded from the journal. */
  synchronized void known(JobEntry e) {
    if (!e.job.getRequestId().isEmpty()) {
      byRequestId.put(e.job.getRequestId(), e);
    }
  }

  /** A purged job: its request id may be used again, and the entry is not kept. */
  synchronized void forget(String jobId) {
    byRequestId.values().removeIf(e -> e.id.equals(jobId));
  }

  synchronized Started start(StartCopyRequest request) {
    checkShape(request);
    ByteString digest = RequestDigest.of(request);
    JobEntry seen = byRequestId.get(request.getRequestId());
    if (seen != null) {
      if (seen.requestDigest.equals(digest)) {
        return new Started(seen, false);
      }
      throw new FerryException(Reason.ALREADY_EXISTS, "request_id: '" + request.getRequestId()
          + "' was used for a different request (job " + seen.id + "); use a new request id");
    }
    refuseSecondWriter(request.getDestination());
    long size = preflight(request);
    JobEntry e = new JobEntry(newJob(request, size));
    e.sourceSize = size;
    e.requestDigest = digest;
    store.add(e);
    byRequestId.put(request.getRequestId(), e);
    return new Started(e, true);
  }

  private static void checkShape(StartCopyRequest r) {
    if (r.getRequestId().isBlank()) {
      throw FerryException.invalid("request_id", "is required; choose a unique id per copy "
          + "(a retry with the same id returns the same job)");
    }
    if (r.getSource().getKindCase() == Endpoint.KindCase.KIND_NOT_SET) {
      throw FerryException.invalid("source", "is required; set rbd or file");
    }
    if (r.getDestination().getKindCase() == Endpoint.KindCase.KIND_NOT_SET) {
      throw FerryException.invalid("destination", "is required; set rbd or file");
    }
    if (r.getSource().equals(r.getDestination())) {
      throw FerryException.invalid("destination", "is the source itself; choose another");
    }
  }

  /**
   * One writer per destination: a second copy into the place an unfinished copy writes would
   * remove that copy's part (its create clears what is left there) while it still writes it.
   */
  private void refuseSecondWriter(Endpoint destination) {
    String target = location(destination);
    for (JobEntry other : store.all()) {
      Job j = other.job;
      if (j.getKind() == JobKind.COPY && !JobStateMachine.isTerminal(j.getState())
          && location(j.getDestination()).equals(target)) {
        throw FerryException.precondition("destination: job " + j.getId() + " (" + j.getState()
            + ") is copying into " + target + " already; wait for it to end or cancel it");
      }
    }
  }

  /** Where an endpoint's data lives, whatever format or snapshot the request names. */
  private static String location(Endpoint e) {
    return switch (e.getKindCase()) {
      case RBD -> "rbd:" + e.getRbd().getClusterId() + "/" + e.getRbd().getPool() + "/"
          + e.getRbd().getNamespace() + "/" + e.getRbd().getImage();
      case FILE -> "file:" + e.getFile().getRoot() + ":"
          + java.nio.file.Path.of(e.getFile().getPath()).normalize();
      default -> e.toString();
    };
  }

  /** The source's size, after checking both endpoints; creates nothing. */
  private long preflight(StartCopyRequest r) {
    try {
      long size;
      try (BlockDevice source = resolver.open(r.getSource(), true, "source")) {
        size = source.size();
      }
      resolver.checkDestination(r.getDestination(), size, r.getOptions());
      return size;
    } catch (IOException e) {
      throw new FerryException(Reason.UNAVAILABLE, "checking the endpoints failed: "
          + e.getMessage() + "; check that they are reachable and retry", e);
    }
  }

  private Job newJob(StartCopyRequest r, long size) {
    var now = store.now();
    return Job.newBuilder()
        .setId(UUID.randomUUID().toString())
        .setRequestId(r.getRequestId())
        .setKind(JobKind.COPY)
        .setState(JobState.QUEUED)
        .setSource(r.getSource())
        .setDestination(r.getDestination())
        .setCopyOptions(r.getOptions())
        .putAllLabels(r.getLabelsMap())
        .setProgress(Progress.newBuilder().setBytesTotal(size).setEtaSeconds(-1)
            .setBandwidthLimit(r.getOptions().getBandwidthBytesPerSec()))
        .setCreated(now)
        .setUpdated(now)
        .setQueuedReason("waiting for the scheduler")
        .build();
  }
}
