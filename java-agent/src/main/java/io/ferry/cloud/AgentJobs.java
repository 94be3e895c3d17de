package io.ferry.cloud;

import java.util.List;

/**
 * The Ferry jobs that agents run for a Cinder volume, found by the label
 * {@value #VOLUME_LABEL} that the Cinder and Nova shims put on the jobs they start.
 */
public interface AgentJobs {

  String VOLUME_LABEL = "volume_id";

  /** No agent to ask: progress shows Cinder's view only, repair cannot see live jobs. */
  AgentJobs NONE = new AgentJobs() {
    @Override
    public List<AgentJob> jobsForVolume(String volumeId) {
      return List.of();
    }

    @Override
    public boolean available() {
      return false;
    }
  };

  List<AgentJob> jobsForVolume(String volumeId);

  /** False when no agent was given: "no job found" then means "not known". */
  default boolean available() {
    return true;
  }

  /** One agent job, as far as the control plane shows it. */
  record AgentJob(String id, String state, long bytesDone, long bytesTotal, long rateBytesPerSec,
      boolean terminal) {}
}
