package io.ferry.job;

import static io.ferry.job.JobFixture.copy;
import static io.ferry.job.JobFixture.sha256;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ferry.copy.CopyPhase;
import io.ferry.error.FerryException;
import io.ferry.error.Reason;
import io.ferry.proto.v1.CopyOptions;
import io.ferry.proto.v1.Job;
import io.ferry.proto.v1.JobState;
import io.ferry.proto.v1.StartCopyRequest;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JobLifecycleTest {

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

  @Test
  void cancelWhileQueuedEndsCancelledWithoutRunning() throws Exception {
    fx.makeSource("a.img", 2 * 1024 * 1024, 1);
    fx.makeSource("c.img", 1024 * 1024, 2);
    JobManager m = fx.start(JobFixture.config(fx.journal).withMaxConcurrentJobs(1),
        JobHooks.NONE);
    Job first = m.startCopy(copy("r1", "a.img", "b.img", 1024 * 1024));
    Job second = m.startCopy(copy("r2", "c.img", "d.img", 0));
    Job cancelled = m.cancel(second.getId());
    assertThat(cancelled.getState()).isEqualTo(JobState.CANCELLED);
    assertThat(cancelled.getEventsList()).extracting(e -> e.getMessage())
        .noneMatch(msg -> msg.contains("PREPARING"));
    assertThat(fx.root.resolve(".d.img.ferry-part")).doesNotExist();
    m.cancel(first.getId());
    fx.awaitState(first.getId(), JobState.CANCELLED);
  }

  @Test
  void aSecondCopyIntoADestinationBeingWrittenIsRefusedUntilTheFirstEnds() throws Exception {
    fx.makeSource("a.img", 2 * 1024 * 1024, 1);
    fx.makeSource("c.img", 1024 * 1024, 2);
    JobManager m = fx.start(JobFixture.config(fx.journal), JobHooks.NONE);
    Job first = m.startCopy(copy("r1", "a.img", "b.img", 512 * 1024)); // ~4 s at this cap
    fx.awaitState(first.getId(), JobState.SYNCING);
    assertThatThrownBy(() -> m.startCopy(copy("r2", "c.img", "./b.img", 0)))
        .isInstanceOfSatisfying(FerryException.class, e -> {
          assertThat(e.reason()).isEqualTo(Reason.FAILED_PRECONDITION);
          assertThat(e.getMessage()).startsWith("destination: job " + first.getId())
              .contains("cancel it");
        });
    assertThat(fx.root.resolve(".b.img.ferry-part")).as("the first copy's part is kept")
        .exists();
    m.cancel(first.getId());
    fx.awaitState(first.getId(), JobState.CANCELLED);
    Job second = m.startCopy(copy("r2", "c.img", "b.img", 0));
    fx.awaitState(second.getId(), JobState.COMPLETED);
  }

  @Test
  void jobFoundCancellingAtStartFinishesCancelling() throws Exception {
    Path src = fx.makeSource("a.img", 4 * 1024 * 1024, 3);
    String before = sha256(src);
    CountDownLatch crashed = new CountDownLatch(1);
    JobManager first = fx.start(JobFixture.config(fx.journal), (id, point, phase) -> {
      if (point == JobHooks.Point.PROGRESS && phase == CopyPhase.SYNC
          && crashed.getCount() > 0) {
        crashed.countDown();
        throw new SimulatedCrash("sync");
      }
    });
    Job job = first.startCopy(copy("r1", "a.img", "b.img", 1024 * 1024));
    assertThat(crashed.await(30, TimeUnit.SECONDS)).isTrue();
    fx.await(job.getId(), j -> true, Duration.ofSeconds(1));
    // The runner is dead: the cancel is recorded, and nobody is left to finish it.
    assertThat(first.cancel(job.getId()).getState()).isEqualTo(JobState.CANCELLING);
    first.close();
    assertThat(fx.root.resolve(".b.img.ferry-part")).exists();

    fx.start();
    Job done = fx.awaitState(job.getId(), JobState.CANCELLED);
    assertThat(done.getProgress().getRestarts()).isZero();
    assertThat(fx.root.resolve(".b.img.ferry-part")).doesNotExist();
    assertThat(fx.root.resolve("b.img")).doesNotExist();
    assertThat(sha256(src)).isEqualTo(before);
  }

  @Test
  void deleteSourceRemovesSourceOnlyAfterCommit() throws Exception {
    Path src = fx.makeSource("a.img", 2 * 1024 * 1024, 4);
    String before = sha256(src);
    JobManager m = fx.start();
    StartCopyRequest r = copy("r1", "a.img", "b.img", 0).toBuilder()
        .setOptions(CopyOptions.newBuilder().setCreateDestination(true).setDeleteSource(true))
        .build();
    Job done = fx.awaitState(m.startCopy(r).getId(), JobState.COMPLETED);
    assertThat(src).doesNotExist();
    assertThat(sha256(fx.root.resolve("b.img"))).isEqualTo(before);
    List<String> messages = done.getEventsList().stream().map(e -> e.getMessage()).toList();
    int commit = messages.indexOf(messages.stream()
        .filter(msg -> msg.contains("-> COMMITTING")).findFirst().orElseThrow());
    int deleted = messages.indexOf(messages.stream()
        .filter(msg -> msg.contains("deleted the source")).findFirst().orElseThrow());
    assertThat(deleted).isGreaterThan(commit);
  }

  @Test
  void smallJobEndsShowingTheWholeSourceDoneEvenBeforeAnyProgressTick() throws Exception {
    fx.makeSource("a.img", 3 * 1024 * 1024 + 4096, 7);
    JobManager m = fx.start();
    Job done = fx.awaitState(m.startCopy(copy("r1", "a.img", "b.img", 0)).getId(),
        JobState.COMPLETED);
    assertThat(done.getProgress().getBytesTotal()).isEqualTo(3 * 1024 * 1024 + 4096);
    assertThat(done.getProgress().getBytesDone()).isEqualTo(done.getProgress().getBytesTotal());
    assertThat(done.getProgress().getRateBytesPerSec()).isZero();
    assertThat(done.getProgress().getEtaSeconds()).isZero();
  }

  @Test
  void failureAfterCommitNeverFailsTheJobNorTouchesTheCommittedDestination() throws Exception {
    Path src = fx.makeSource("a.img", 2 * 1024 * 1024, 8);
    String before = sha256(src);
    JobManager m = fx.start(JobFixture.config(fx.journal), (id, point, phase) -> {
      if (point == JobHooks.Point.AFTER_COMMIT) {
        throw new IllegalStateException("journal device full");
      }
    });
    Job done = fx.awaitState(m.startCopy(copy("r1", "a.img", "b.img", 0)).getId(),
        JobState.COMPLETED);
    assertThat(done.hasError()).isFalse();
    assertThat(done.getEventsList()).extracting(e -> e.getMessage())
        .anyMatch(msg -> msg.contains("a first attempt to record it failed: journal device full"));
    assertThat(sha256(fx.root.resolve("b.img"))).isEqualTo(before);
    assertThat(sha256(src)).isEqualTo(before);
  }

  @Test
  void engineFailureEndsFailedWithErrorAndRemovesDestination() throws Exception {
    Path src = fx.makeSource("a.img", 1024 * 1024, 5);
    String before = sha256(src);
    EngineParts real = StandardParts.create();
    EngineParts failing = new EngineParts((plan, listener) -> new EngineParts.Run() {
      @Override
      public io.ferry.copy.CopyResult run(io.ferry.copy.CopyCheckpoint from) throws Exception {
        listener.phase(CopyPhase.SYNC);
        throw new IOException("disk on fire");
      }

      @Override
      public void cancel() {}
    }, real.feeds(), real.rateLimiters());
    JobManager m = fx.start(JobFixture.config(fx.journal), JobHooks.NONE, failing);
    Job done = fx.awaitState(m.startCopy(copy("r1", "a.img", "b.img", 0)).getId(),
        JobState.FAILED);
    assertThat(done.getError().getCode()).isEqualTo("UNAVAILABLE");
    assertThat(done.getError().getMessage()).contains("disk on fire").contains("SYNCING")
        .contains("start the copy again");
    assertThat(fx.root.resolve(".b.img.ferry-part")).doesNotExist();
    assertThat(sha256(src)).isEqualTo(before);
  }

  /**
   * A failure whose cleanup fails too (on RBD: a part image librbd cannot remove from a pool over
   * its quota) still ends the job FAILED, with the first error's code and what was left: a job
   * left in its running state would be waited for forever (by Cinder, by `ferry copy --wait`).
   */
  @Test
  void failureWhoseCleanupFailsStillEndsFailedAndSaysWhatIsLeft() throws Exception {
    Path src = fx.makeSource("a.img", 1024 * 1024, 5);
    String before = sha256(src);
    Path part = fx.root.resolve(".b.img.ferry-part");
    EngineParts real = StandardParts.create();
    EngineParts failing = new EngineParts((plan, listener) -> new EngineParts.Run() {
      @Override
      public io.ferry.copy.CopyResult run(io.ferry.copy.CopyCheckpoint from) throws Exception {
        listener.phase(CopyPhase.SYNC);
        Files.delete(part); // a non-empty directory in its place: the cleanup cannot delete it
        Files.createDirectories(part.resolve("blocker"));
        throw new io.ferry.error.FerryException(io.ferry.error.Reason.RESOURCE_EXHAUSTED,
            "pool b is over its quota");
      }

      @Override
      public void cancel() {}
    }, real.feeds(), real.rateLimiters());
    JobManager m = fx.start(JobFixture.config(fx.journal), JobHooks.NONE, failing);
    Job done = fx.awaitState(m.startCopy(copy("r1", "a.img", "b.img", 0)).getId(),
        JobState.FAILED);
    assertThat(done.getError().getCode()).isEqualTo("RESOURCE_EXHAUSTED");
    assertThat(done.getError().getMessage()).startsWith("pool b is over its quota")
        .contains("then cleaning up failed").contains("could not remove what the job created")
        .contains("b.img").contains("a retry of the copy removes it first");
    assertThat(sha256(src)).isEqualTo(before);
  }

  @Test
  void watchGetsProgressEverySecondAndEndsAfterTerminalState() throws Exception {
    fx.makeSource("a.img", 6 * 1024 * 1024, 6);
    JobManager m = fx.start();
    Job job = m.startCopy(copy("r1", "a.img", "b.img", 1024 * 1024));
    List<Long> times = new CopyOnWriteArrayList<>();
    List<Job> updates = new CopyOnWriteArrayList<>();
    CountDownLatch ended = new CountDownLatch(1);
    m.watch(job.getId(), new JobService.JobWatcher() {
      @Override
      public void onUpdate(Job j) {
        times.add(System.nanoTime());
        updates.add(j);
      }

      @Override
      public void onEnd() {
        ended.countDown();
      }
    });
    assertThat(ended.await(60, TimeUnit.SECONDS)).isTrue();
    assertThat(updates.get(updates.size() - 1).getState()).isEqualTo(JobState.COMPLETED);
    long maxGap = 0;
    for (int i = 1; i < times.size(); i++) {
      maxGap = Math.max(maxGap, times.get(i) - times.get(i - 1));
    }
    assertThat(TimeUnit.NANOSECONDS.toMillis(maxGap)).isLessThanOrEqualTo(1300);
    assertThat(updates).anyMatch(j -> j.getState() == JobState.SYNCING
        && j.getProgress().getRateBytesPerSec() > 0 && j.getProgress().getBytesDone() > 0);
    // A watch on a finished job gets the job once, then the end.
    CountDownLatch again = new CountDownLatch(2);
    m.watch(job.getId(), new JobService.JobWatcher() {
      @Override
      public void onUpdate(Job j) {
        again.countDown();
      }

      @Override
      public void onEnd() {
        again.countDown();
      }
    });
    assertThat(again.getCount()).isZero();
    assertThat(Files.exists(fx.root.resolve("b.img"))).isTrue();
  }
}
