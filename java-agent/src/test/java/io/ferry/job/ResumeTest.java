package io.ferry.job;

import static io.ferry.job.JobFixture.copy;
import static io.ferry.job.JobFixture.sha256;
import static org.assertj.core.api.Assertions.assertThat;

import io.ferry.copy.CopyPhase;
import io.ferry.proto.v1.Job;
import io.ferry.proto.v1.JobState;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.io.TempDir;

/**
 * Kills the runner dead at several points (no journal write after the crash, like kill -9),
 * starts a new manager over the same journal and checks the job finishes with a correct
 * destination, having rewritten much less than the whole source.
 */
class ResumeTest {

  static final long SIZE = 8L * 1024 * 1024;
  static final long DATA = SIZE / 2; // every other region holds data

  @TempDir Path tmp;
  JobFixture fx;

  @BeforeEach
  void setUp() throws Exception {
    fx = new JobFixture(tmp);
  }

  @AfterEach
  void tearDown() {
    fx.close();
  }

  enum CrashPoint {
    MID_SYNC, MID_MERGE, MID_VERIFY, BEFORE_COMMIT, AFTER_COMMIT
  }

  /** A hook that crashes once at {@code point}. */
  static final class Crasher implements JobHooks {
    final CrashPoint point;
    final CountDownLatch crashed = new CountDownLatch(1);
    final AtomicInteger syncCheckpoints = new AtomicInteger();

    Crasher(CrashPoint point) {
      this.point = point;
    }

    @Override
    public void at(String jobId, Point p, CopyPhase phase) {
      boolean now = switch (point) {
        case MID_SYNC -> phase == CopyPhase.SYNC && (p == Point.CHECKPOINT
            ? syncCheckpoints.incrementAndGet() > 2 : syncCheckpoints.get() >= 2);
        case MID_MERGE -> p == Point.PHASE && phase == CopyPhase.FINAL;
        case MID_VERIFY -> p == Point.PHASE && phase == CopyPhase.VERIFY;
        case BEFORE_COMMIT -> p == Point.BEFORE_COMMIT;
        case AFTER_COMMIT -> p == Point.AFTER_COMMIT;
      };
      if (now && crashed.getCount() > 0) {
        crashed.countDown();
        throw new SimulatedCrash(point.name());
      }
    }
  }

  /** Lifts the cap so the resumed run is quick; a job resumed after its commit may be done. */
  private static void uncap(JobManager manager, String id) {
    try {
      manager.setBandwidth(id, 0);
    } catch (io.ferry.error.FerryException e) {
      assertThat(JobStateMachine.isTerminal(manager.get(id).getState()))
          .as("bandwidth refused only because the job already ended: " + e.getMessage()).isTrue();
    }
  }

  @ParameterizedTest
  @EnumSource(CrashPoint.class)
  void resumesAfterCrashAndEndsCorrect(CrashPoint point) throws Exception {
    Path src = fx.makeSource("a.img", SIZE, 42);
    String expected = sha256(src);
    Crasher crasher = new Crasher(point);
    JobManager first = fx.start(JobFixture.config(fx.journal), crasher);
    // 1 MiB/s: the sync takes about four seconds, long enough for several checkpoints.
    long cap = point == CrashPoint.MID_SYNC ? 1024 * 1024 : 8L * 1024 * 1024;
    Job job = first.startCopy(copy("r1", "a.img", "b.img", cap));
    assertThat(crasher.crashed.await(60, TimeUnit.SECONDS)).as("crash at " + point).isTrue();
    JobState atCrash = fx.manager.get(job.getId()).getState();
    first.close();

    JobManager second = fx.start();
    uncap(second, job.getId());
    Job resumed = second.get(job.getId());
    assertThat(resumed.getProgress().getRestarts()).isEqualTo(1);
    assertThat(resumed.getEventsList()).extracting(e -> e.getMessage())
        .anyMatch(m -> m.startsWith("resumed at "))
        .anyMatch(m -> m.contains("agent restarted in " + atCrash));
    Job done = fx.await(job.getId(), j -> JobStateMachine.isTerminal(j.getState()),
        Duration.ofSeconds(60));
    assertThat(done.getState()).as(done.getError().getMessage()).isEqualTo(JobState.COMPLETED);
    assertThat(sha256(fx.root.resolve("b.img"))).isEqualTo(expected);
    assertThat(fx.root.resolve(".b.img.ferry-part")).doesNotExist();
    long written = done.getProgress().getBytesWritten();
    System.out.printf("resume after crash at %s: %d of %d data bytes written after the restart%n",
        point, written, DATA);
    assertThat(written).as("bytes written after the restart at " + point)
        .isLessThan(point == CrashPoint.MID_SYNC ? DATA * 3 / 4 : DATA / 4);
  }
}
