package io.ferry.cli;

import io.ferry.cloud.AgentJobs;
import io.ferry.proto.v1.FerryAgentGrpc;
import io.ferry.proto.v1.Job;
import io.ferry.proto.v1.ListJobsRequest;
import io.grpc.ManagedChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** {@link AgentJobs} over the agents' gRPC API: ListJobs with the label volume_id. */
final class GrpcAgentJobs implements AgentJobs {

  private final List<String> agents;
  private final ConnectionOptions tls;

  GrpcAgentJobs(List<String> agents, ConnectionOptions tls) {
    this.agents = List.copyOf(agents);
    this.tls = tls;
  }

  /** Asks every agent; an agent that cannot be reached is an error (repair must not guess). */
  @Override
  public List<AgentJob> jobsFor(String volumeId, java.util.Collection<String> instances) {
    List<AgentJob> out = new ArrayList<>();
    List<ListJobsRequest> queries = new ArrayList<>();
    queries.add(ListJobsRequest.newBuilder().putLabels(VOLUME_LABEL, volumeId).build());
    for (String i : instances) {
      queries.add(ListJobsRequest.newBuilder().putLabels(INSTANCE_LABEL, i).build());
    }
    for (String agent : agents) {
      for (ListJobsRequest q : queries) {
        out.addAll(ask(agent, q));
      }
    }
    return out;
  }

  @Override
  public int capBandwidth(String volumeId, java.util.Collection<String> instances,
      long bytesPerSec) {
    // Only the jobs labelled with this volume: an instance's other disks are not ours to cap.
    ListJobsRequest q = ListJobsRequest.newBuilder().putLabels(VOLUME_LABEL, volumeId).build();
    int capped = 0;
    for (String agent : agents) {
      for (AgentJob j : ask(agent, q)) {
        if (!j.terminal()) {
          setBandwidth(agent, j.id(), bytesPerSec);
          capped++;
        }
      }
    }
    return capped;
  }

  private void setBandwidth(String agent, String jobId, long bytesPerSec) {
    tls.agent = agent;
    ManagedChannel ch = tls.channel();
    try {
      FerryAgentGrpc.newBlockingStub(ch).withDeadlineAfter(20, TimeUnit.SECONDS)
          .setBandwidth(io.ferry.proto.v1.SetBandwidthRequest.newBuilder().setJobId(jobId)
              .setBandwidthBytesPerSec(bytesPerSec).build());
    } catch (io.grpc.StatusRuntimeException e) {
      throw new io.ferry.error.FerryException(io.ferry.error.Reason.UNAVAILABLE,
          "agent " + agent + ": " + ErrorReporter.describe(e.getStatus(), agent));
    } finally {
      ch.shutdownNow();
    }
  }

  private List<AgentJob> ask(String agent, ListJobsRequest req) {
    List<AgentJob> out = new ArrayList<>();
    tls.agent = agent;
    ManagedChannel ch = tls.channel();
    try {
      for (Job j : FerryAgentGrpc.newBlockingStub(ch)
          .withDeadlineAfter(20, TimeUnit.SECONDS).listJobs(req).getJobsList()) {
        out.add(new AgentJob(j.getId(), j.getState().name(), j.getProgress().getBytesDone(),
            j.getProgress().getBytesTotal(), j.getProgress().getRateBytesPerSec(),
            ProgressRenderer.isTerminal(j.getState()), destination(j),
            j.hasCreated() ? java.time.Instant.ofEpochSecond(j.getCreated().getSeconds(),
                j.getCreated().getNanos()) : null));
      }
    } catch (io.grpc.StatusRuntimeException e) {
      throw new io.ferry.error.FerryException(io.ferry.error.Reason.UNAVAILABLE,
          "agent " + agent + ": " + ErrorReporter.describe(e.getStatus(), agent));
    } finally {
      ch.shutdownNow();
    }
    return out;
  }

  /** "cluster/pool/image" of a job's RBD destination (ferry_cinder's copies), else "". */
  static String destination(Job j) {
    if (!j.hasDestination() || !j.getDestination().hasRbd()) {
      return "";
    }
    var r = j.getDestination().getRbd();
    String ns = r.getNamespace().isEmpty() ? "" : r.getNamespace() + "/";
    return r.getClusterId() + "/" + r.getPool() + "/" + ns + r.getImage();
  }
}
