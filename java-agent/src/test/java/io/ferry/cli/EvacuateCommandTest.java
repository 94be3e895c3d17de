package io.ferry.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.ferry.cloud.EvacuationState;
import io.ferry.cloud.FakeOpenStackAccess;
import io.ferry.cloud.PlannedMove;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EvacuateCommandTest {

  static final String A = "cinder@ceph-a#rbd-a";
  static final String B = "cinder@ceph-b#rbd-b";

  @TempDir Path dir;
  FakeOpenStackAccess os;
  CloudCliFixture cli;
  Path state;

  @BeforeEach
  void start() throws Exception {
    os = FakeOpenStackAccess.start();
    cli = new CloudCliFixture(dir, os.authUrl(), os.password());
    state = dir.resolve("evac.json");
  }

  @AfterEach
  void stop() {
    os.close();
  }

  EvacuateCommand command() {
    EvacuateCommand c = new EvacuateCommand();
    c.sleeper = d -> { };
    return c;
  }

  Map<String, Long> migrateCallsPerVolume() {
    return os.actions().stream().filter(a -> a.contains("os-migrate_volume")
        || a.contains("os-retype")).collect(Collectors.groupingBy(a -> a.split(" ")[0],
            Collectors.counting()));
  }

  @Test
  void dryRunPlansAndEstimatesWithoutTouchingAnything() {
    os.fleet(6, 2);
    int code = cli.run(command(), "--from", A, "--to", B, "--dry-run", "--state",
        state.toString());
    String out = cli.out.toString();
    assertThat(code).as(out + cli.err).isZero();
    assertThat(out).contains("fleet-00").contains("compute1").contains("PENDING")
        .contains("6 volume(s) to move, 12 GiB, 3 attached").contains("assumed rates")
        .contains("Dry run");
    assertThat(os.actions()).isEmpty();
    assertThat(state).doesNotExist();
  }

  @Test
  void runsEveryVolumeWithinTheLimits() throws Exception {
    os.fleet(10, 2);
    int code = cli.run(command(), "--from", A, "--to", B, "--max-parallel", "4",
        "--max-per-host", "1", "--max-per-pool", "3", "--poll", "0", "--state",
        state.toString());
    assertThat(code).as(cli.out + "" + cli.err).isZero();
    assertThat(os.maxConcurrent("total")).isBetween(2, 3);
    assertThat(os.maxConcurrent("pool:" + A)).isLessThanOrEqualTo(3);
    assertThat(os.maxConcurrent("compute:compute1")).isEqualTo(1);
    assertThat(os.maxConcurrent("compute:compute2")).isEqualTo(1);
    assertThat(migrateCallsPerVolume()).hasSize(10).allSatisfy((v, n) -> assertThat(n).isOne());
    assertThat(EvacuationState.load(state).moves()).extracting(PlannedMove::state)
        .containsOnly(PlannedMove.State.DONE);
    for (int i = 0; i < 10; i++) {
      assertThat(os.volumeState(String.format("fleet-%02d", i))).contains(B);
    }
    assertThat(cli.out.toString()).contains("Total: 10 volume(s) {DONE=10}");
  }

  @Test
  void maxParallelCapsAllMoves() {
    os.fleet(8, 0);
    int code = cli.run(command(), "--from", A, "--to", B, "--max-parallel", "2",
        "--max-per-pool", "8", "--poll", "0", "--state", state.toString());
    assertThat(code).isZero();
    assertThat(os.maxConcurrent("total")).isEqualTo(2);
  }

  @Test
  void bandwidthBudgetLimitsHowManyRunAtOnce() {
    os.fleet(8, 0);
    int code = cli.run(command(), "--from", A, "--to", B, "--max-parallel", "8",
        "--max-per-pool", "8", "--bandwidth", "300MiB/s", "--assume-rate", "150MiB/s",
        "--poll", "0", "--state", state.toString());
    assertThat(code).isZero();
    assertThat(os.maxConcurrent("total")).isEqualTo(2);
  }

  @Test
  void interruptedRunResumesWithoutRedoingFinishedMoves() throws Exception {
    os.fleet(8, 2);
    EvacuateCommand first = command();
    // Crash once 3 are done and 2 more are recorded as started: the first of those was sent
    // to Cinder, the second not yet (the state is saved before Cinder is called).
    first.afterSave = s -> {
      if (EvacuateCommand.count(s, PlannedMove.State.DONE) >= 3
          && EvacuateCommand.count(s, PlannedMove.State.STARTED) >= 2) {
        throw new IllegalStateException("simulated crash");
      }
    };
    int code = cli.run(first, "--from", A, "--to", B, "--max-parallel", "3",
        "--max-per-host", "2", "--max-per-pool", "3", "--poll", "0",
        "--state", state.toString());
    assertThat(code).isNotZero();
    Map<String, PlannedMove.State> afterCrash = EvacuationState.load(state).moves().stream()
        .collect(Collectors.toMap(PlannedMove::volumeId, PlannedMove::state));
    assertThat(afterCrash.values()).filteredOn(s -> s == PlannedMove.State.DONE).hasSize(3);
    assertThat(afterCrash.values()).filteredOn(s -> s == PlannedMove.State.STARTED).hasSize(2);
    Map<String, Long> callsBefore = migrateCallsPerVolume();

    CloudCliFixture again = new CloudCliFixture(dir, os.authUrl(), os.password());
    int code2 = again.run(command(), "--from", A, "--to", B, "--max-parallel", "3",
        "--poll", "0", "--state", state.toString());
    assertThat(code2).as(again.out + "" + again.err).isZero();
    assertThat(again.out.toString()).contains("Resuming")
        .contains("is IN_PROGRESS in Cinder").contains("was not moving in Cinder");
    // every volume was asked to move exactly once, across both runs
    assertThat(migrateCallsPerVolume()).hasSize(8).allSatisfy((v, n) -> assertThat(n).isOne());
    afterCrash.forEach((v, s) -> {
      if (s == PlannedMove.State.DONE) {
        assertThat(callsBefore).containsKey(v);
      }
    });
    assertThat(afterCrash.entrySet()).filteredOn(e -> e.getValue() == PlannedMove.State.STARTED)
        .extracting(e -> callsBefore.containsKey(e.getKey())).containsExactlyInAnyOrder(true,
            false);
    assertThat(EvacuationState.load(state).moves()).extracting(PlannedMove::state)
        .containsOnly(PlannedMove.State.DONE);
  }

  @Test
  void volumesFailingAPreflightCheckAreSkippedAndReported() {
    os.fleet(4, 0);
    os.addSnapshot("fleet-01");
    int code = cli.run(command(), "--from", A, "--type", "ceph-b", "--poll", "0",
        "--state", state.toString());
    assertThat(code).isEqualTo(6);
    assertThat(cli.out.toString()).contains("SKIPPED").contains("snapshots: 1 snapshot(s)");
    assertThat(migrateCallsPerVolume()).doesNotContainKey("fleet-01").hasSize(3);
    assertThat(os.volumeState("fleet-00")).endsWith(B + "/ceph-b");
  }

  @Test
  void failedMoveIsReportedAndTheRestGoesOn() {
    os.fleet(3, 0);
    os.failMigrationOf("fleet-01");
    int code = cli.run(command(), "--from", A, "--to", B, "--poll", "0",
        "--state", state.toString());
    assertThat(code).isEqualTo(6);
    Map<String, PlannedMove> moves = EvacuationState.load(state).moves().stream()
        .collect(Collectors.toMap(PlannedMove::volumeId, Function.identity()));
    assertThat(moves.get("fleet-01").state()).isEqualTo(PlannedMove.State.FAILED);
    assertThat(moves.get("fleet-00").state()).isEqualTo(PlannedMove.State.DONE);
    assertThat(moves.get("fleet-02").state()).isEqualTo(PlannedMove.State.DONE);
  }

  @Test
  void stateFileOfAnotherEvacuationIsRefused() throws Exception {
    os.fleet(2, 0);
    cli.run(command(), "--from", A, "--to", B, "--poll", "0", "--state", state.toString());
    int code = cli.run(command(), "--from", A, "--type", "ceph-b", "--state", state.toString());
    assertThat(code).isEqualTo(3);
    assertThat(cli.err.toString()).contains("belongs to the evacuation of");
    assertThat(Files.list(dir)).noneMatch(p -> p.toString().endsWith(".tmp"));
  }

  @Test
  void typeThatCanStayOnTheSourceBackendIsRefusedPerVolume() {
    os.fleet(2, 0);
    int code = cli.run(command(), "--from", A, "--type", "ceph-a", "--poll", "0",
        "--state", state.toString());
    assertThat(code).isEqualTo(6);
    assertThat(cli.out.toString()).contains("can stay on cinder@ceph-a");
    assertThat(os.actions()).isEmpty();
  }
}
