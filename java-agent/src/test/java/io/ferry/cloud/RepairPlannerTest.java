package io.ferry.cloud;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class RepairPlannerTest {

  static final String UPDATED = "2026-11-22T19:00:00.000000"; // Cinder's UTC without a zone

  static AgentJobs.AgentJob job(String id, String state, String dest, String created) {
    return new AgentJobs.AgentJob(id, state, 0, 0, 0, true, dest,
        created == null ? null : Instant.parse(created));
  }

  @Test
  void aCopyCompletedAfterCinderLastTouchedTheVolumeIsNamed() {
    String note = RepairPlanner.adoptedByNobody(List.of(
        job("j-new", "COMPLETED", "lab1/volumes-b/volume-v1", "2026-11-22T19:00:05Z")),
        UPDATED);
    assertThat(note).contains("lab1/volumes-b/volume-v1 (Ferry job j-new)")
        .contains("rbd rm");
  }

  @Test
  void olderFailedUnknownAndNonRbdJobsAreNotNamed() {
    List<AgentJobs.AgentJob> jobs = List.of(
        job("j-old", "COMPLETED", "lab1/volumes-a/volume-v1", "2026-11-22T18:00:00Z"),
        job("j-failed", "FAILED", "lab1/volumes-b/volume-v1", "2026-11-22T19:00:05Z"),
        job("j-mirror", "COMPLETED", "", "2026-11-22T19:00:05Z"),
        job("j-undated", "COMPLETED", "lab1/volumes-c/volume-v1", null));
    assertThat(RepairPlanner.adoptedByNobody(jobs, UPDATED)).isEmpty();
  }

  @Test
  void withoutCindersTimeNothingIsNamed() {
    List<AgentJobs.AgentJob> jobs = List.of(
        job("j-new", "COMPLETED", "lab1/volumes-b/volume-v1", "2026-11-22T19:00:05Z"));
    assertThat(RepairPlanner.adoptedByNobody(jobs, null)).isEmpty();
    assertThat(RepairPlanner.adoptedByNobody(jobs, "yesterday")).isEmpty();
  }
}
