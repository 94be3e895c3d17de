package io.ferry.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.ferry.cloud.AgentJobs;
import io.ferry.cloud.FakeOpenStackAccess;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RepairCommandTest {

  static final String A = "cinder@ceph-a#rbd-a";

  @TempDir Path dir;
  FakeOpenStackAccess os;
  CloudCliFixture cli;
  final Map<String, List<AgentJobs.AgentJob>> liveJobs = new HashMap<>();
  final AgentJobs agents = (volumeId, instances) -> liveJobs.getOrDefault(volumeId, List.of());

  @BeforeEach
  void start() throws Exception {
    os = FakeOpenStackAccess.start();
    cli = new CloudCliFixture(dir, os.authUrl(), os.password());
  }

  @AfterEach
  void stop() {
    assertThat(os.requests()).noneMatch(r -> r.startsWith("DELETE"));
    os.close();
  }

  int repair(boolean withAgents, String... args) {
    RepairCommand c = new RepairCommand();
    c.sleeper = d -> { };
    c.agents = withAgents ? agents : null;
    String[] all = new String[args.length + 4];
    all[0] = "--observe";
    all[1] = "0";
    all[2] = "--min-age";
    all[3] = "60";
    System.arraycopy(args, 0, all, 4, args.length);
    return cli.run(c, all);
  }

  /** Cinder bug 2019190's shape: attached, status retyping, a migration that went nowhere. */
  void stuckAttachedRetype() {
    os.standardWithVolume("v1", 10);
    os.attach("v1", "srv1", "compute1");
    os.freeze("v1", "retyping", "migrating");
  }

  @Test
  void dryRunChangesNothing() {
    stuckAttachedRetype();
    int code = repair(true);
    assertThat(code).isEqualTo(6);
    assertThat(cli.out.toString()).contains("STUCK v1")
        .contains("would: os-reset_status v1 status=in-use migration_status=error")
        .contains("Nothing changed");
    assertThat(os.actions()).isEmpty();
    assertThat(os.volumeState("v1")).startsWith("retyping/migrating");
  }

  @Test
  void yesRestoresInUseFromTheAttachmentsNotTheStatus() {
    stuckAttachedRetype();
    int code = repair(true, "--yes");
    assertThat(code).as(cli.out + "" + cli.err).isZero();
    assertThat(os.actions()).containsExactly(
        "v1 os-reset_status {\"status\":\"in-use\",\"migration_status\":\"error\"}");
    assertThat(os.volumeState("v1")).startsWith("in-use/error/" + A);
    assertThat(cli.out.toString()).contains("Did: os-reset_status v1");
  }

  @Test
  void detachedVolumeStuckInMaintenanceBecomesAvailable() {
    os.standardWithVolume("v2", 1);
    os.freeze("v2", "maintenance", "migrating");
    assertThat(repair(true, "--yes")).isZero();
    assertThat(os.actions()).containsExactly(
        "v2 os-reset_status {\"status\":\"available\",\"migration_status\":\"error\"}");
  }

  @Test
  void stuckDetachingIsRolledBack() {
    os.standardWithVolume("v3", 1);
    os.attach("v3", "srv3", "compute1");
    os.freeze("v3", "detaching", null);
    assertThat(repair(true, "--yes")).isZero();
    assertThat(os.actions()).containsExactly("v3 os-roll_detaching {}");
    assertThat(os.volumeState("v3")).startsWith("in-use/");
  }

  @Test
  void attachingWithoutAnAttachmentNovaKnowsBecomesAvailable() {
    os.standardWithVolume("v4", 1);
    os.freeze("v4", "attaching", null);
    os.addOrphanRecord("v4", "attaching");
    assertThat(repair(true, "--yes")).isZero();
    assertThat(os.actions()).containsExactly("v4 os-reset_status {\"status\":\"available\"}");
    assertThat(cli.out.toString()).contains("attachment records left as they are");
  }

  @Test
  void attachingThatNovaListsBecomesInUse() {
    os.standardWithVolume("v5", 1);
    os.attach("v5", "srv5", "compute1");
    os.setAttachmentStatus("v5", "attaching");
    os.freeze("v5", "attaching", null);
    assertThat(repair(true, "--yes")).isZero();
    assertThat(os.actions()).containsExactly("v5 os-reset_status {\"status\":\"in-use\"}");
  }

  @Test
  void liveFerryJobMeansNotStuck() {
    stuckAttachedRetype();
    liveJobs.put("v1", List.of(new AgentJobs.AgentJob("job-7", "SYNCING", 1, 10, 5, false)));
    int code = repair(true, "--yes");
    assertThat(code).isZero();
    assertThat(cli.out.toString()).contains("OK    v1").contains("job-7 is SYNCING")
        .contains("Nothing to repair");
    assertThat(os.actions()).isEmpty();
  }

  @Test
  void progressingMigrationIsNotStuck() {
    os.standardWithVolume("v6", 1);
    os.failMigrationOf("v6"); // irrelevant: it must only be seen moving
    os.freeze("v6", "available", "migrating");
    os.unfreezeForTest("v6");
    assertThat(repair(true, "--yes")).isZero();
    assertThat(cli.out.toString()).contains("still changing");
    assertThat(os.actions()).isEmpty();
  }

  @Test
  void recentlyUpdatedVolumeIsNotStuckYet() {
    stuckAttachedRetype();
    os.touch("v1");
    assertThat(repair(true, "--yes")).isZero();
    assertThat(cli.out.toString()).contains("less than --min-age 60s");
    assertThat(os.actions()).isEmpty();
  }

  @Test
  void temporaryMigrationVolumeIsLeftAlone() {
    os.standardWithVolume("v7", 1);
    os.freeze("v7", "available", "target:v1");
    assertThat(repair(true, "--yes")).isZero();
    assertThat(cli.out.toString()).contains("temporary destination").contains("yourself");
    assertThat(os.actions()).isEmpty();
  }

  @Test
  void yesWithoutAgentsIsRefusedUnlessAcknowledged() {
    stuckAttachedRetype();
    assertThat(repair(false, "--yes")).isEqualTo(3);
    assertThat(cli.err.toString()).contains("--agents");
    assertThat(os.actions()).isEmpty();
    assertThat(repair(false, "--yes", "--without-agents")).isZero();
    assertThat(os.actions()).hasSize(1);
    assertThat(cli.out.toString()).contains("agents NOT asked");
  }

  @Test
  void onlyNamedVolumesAreConsidered() {
    stuckAttachedRetype();
    os.standardWithVolume("v2", 1);
    os.freeze("v2", "maintenance", "migrating");
    assertThat(repair(true, "--yes", "v2")).isZero();
    assertThat(os.actions()).singleElement().asString().startsWith("v2 ");
  }
}
