package io.ferry.job;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ferry.error.FerryException;
import io.ferry.error.Reason;
import io.ferry.proto.v1.JobState;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class JobStateMachineTest {

  private static final EnumSet<JobState> REAL = EnumSet.complementOf(
      EnumSet.of(JobState.JOB_STATE_UNSPECIFIED, JobState.UNRECOGNIZED));

  static Stream<Arguments> allowed() {
    List<Arguments> out = new ArrayList<>();
    for (JobState from : REAL) {
      for (JobState to : JobStateMachine.next(from)) {
        out.add(Arguments.of(from, to));
      }
    }
    return out.stream();
  }

  static Stream<Arguments> refused() {
    List<Arguments> out = new ArrayList<>();
    for (JobState from : REAL) {
      for (JobState to : REAL) {
        if (!JobStateMachine.next(from).contains(to)) {
          out.add(Arguments.of(from, to));
        }
      }
    }
    return out.stream();
  }

  @ParameterizedTest(name = "{0} -> {1} allowed")
  @MethodSource("allowed")
  void allowedTransitionPasses(JobState from, JobState to) {
    assertThatCode(() -> JobStateMachine.check("j1", from, to, "move")).doesNotThrowAnyException();
  }

  @ParameterizedTest(name = "{0} -> {1} refused")
  @MethodSource("refused")
  void refusedTransitionNamesBothStates(JobState from, JobState to) {
    assertThatThrownBy(() -> JobStateMachine.check("j1", from, to, "move"))
        .isInstanceOf(FerryException.class)
        .satisfies(e -> assertThat(((FerryException) e).reason())
            .isEqualTo(Reason.FAILED_PRECONDITION))
        .hasMessageContaining("j1").hasMessageContaining(from.name())
        .hasMessageContaining(to.name());
  }

  @Test
  void tableCoversEveryStateAndTerminalStatesLeadNowhere() {
    assertThat(JobStateMachine.states()).containsExactlyInAnyOrderElementsOf(REAL);
    for (JobState s : REAL) {
      assertThat(JobStateMachine.next(s).isEmpty()).as(s.name())
          .isEqualTo(JobStateMachine.isTerminal(s));
    }
  }

  @Test
  void copyPathAndLiveMirrorPathAreAllowed() {
    List<JobState> copy = List.of(JobState.QUEUED, JobState.PREPARING, JobState.SYNCING,
        JobState.MERGING, JobState.VERIFYING, JobState.COMMITTING, JobState.COMPLETED);
    List<JobState> mirror = List.of(JobState.QUEUED, JobState.PREPARING, JobState.SYNCING,
        JobState.READY, JobState.PIVOTING, JobState.COMPLETED);
    for (List<JobState> path : List.of(copy, mirror)) {
      for (int i = 0; i + 1 < path.size(); i++) {
        assertThat(JobStateMachine.allowed(path.get(i), path.get(i + 1)))
            .as(path.get(i) + " -> " + path.get(i + 1)).isTrue();
      }
    }
  }

  @Test
  void everyUnfinishedStateCanFailAndAlmostAllCanCancel() {
    for (JobState s : REAL) {
      if (!JobStateMachine.isTerminal(s)) {
        assertThat(JobStateMachine.allowed(s, JobState.FAILED)).as(s.name()).isTrue();
      }
    }
    EnumSet<JobState> cancellable = EnumSet.of(JobState.QUEUED, JobState.PREPARING,
        JobState.SYNCING, JobState.MERGING, JobState.VERIFYING, JobState.READY);
    for (JobState s : cancellable) {
      assertThat(JobStateMachine.allowed(s, JobState.CANCELLING)).as(s.name()).isTrue();
    }
    assertThat(JobStateMachine.allowed(JobState.CANCELLING, JobState.CANCELLED)).isTrue();
  }

  @Test
  void cancelOfFinishedJobSaysSo() {
    assertThatThrownBy(() -> JobStateMachine.check("job-7", JobState.COMPLETED,
        JobState.CANCELLING, "cancel"))
        .hasMessageStartingWith("cannot cancel job job-7: it is COMPLETED");
  }
}
