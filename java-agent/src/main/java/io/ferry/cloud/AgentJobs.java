package io.ferry.cloud;

import java.util.List;

/**
 * The Ferry jobs that agents run for a Cinder volume, found by the labels the shims put on the
 * jobs they start: {@value #VOLUME_LABEL} (ferry_cinder's copy jobs and ferry_nova's live
 * mirrors, the volume being moved) and {@value #INSTANCE_LABEL} (ferry_nova's: a mirror of any
 * disk of an instance the volume is attached to counts, which errs on the safe side).
 */
public interface AgentJobs {

  String VOLUME_LABEL = "volume_id";
  String INSTANCE_LABEL = "instance_uuid";

  /** No agent to ask: progress shows Cinder's view only, repair cannot see live jobs. */
  AgentJobs NONE = new AgentJobs() {
    @Override
    public List<AgentJob> jobsFor(String volumeId, java.util.Collection<String> instances) {
      return List.of();
    }

    @Override
    public boolean available() {
      return false;
    }
  };

  List<AgentJob> jobsFor(String volumeId, java.util.Collection<String> instances);

  /**
   * Caps every live job of the volume at {@code bytesPerSec} (SetBandwidth); returns how many
   * jobs were capped. Without agents, none.
   */
  default int capBandwidth(String volumeId, java.util.Collection<String> instances,
      long bytesPerSec) {
    return 0;
  }

  /** False when no agent was given: "no job found" then means "not known". */
  default boolean available() {
    return true;
  }

  /**
   * One agent job, as far as the control plane shows it: {@code destination} is
   * "cluster/pool/image" for an RBD copy ("" otherwise), {@code created} null when unknown.
   */
  record AgentJob(String id, String state, long bytesDone, long bytesTotal, long rateBytesPerSec,
      boolean terminal, String destination, java.time.Instant created) {

    public AgentJob(String id, String state, long bytesDone, long bytesTotal,
        long rateBytesPerSec, boolean terminal) {
      this(id, state, bytesDone, bytesTotal, rateBytesPerSec, terminal, "", null);
    }
  }
}
