package io.ferry.job;

import static io.ferry.job.JobFixture.copy;
import static io.ferry.job.JobFixture.file;
import static io.ferry.job.JobFixture.sha256;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ferry.error.FerryException;
import io.ferry.error.Reason;
import io.ferry.proto.v1.CopyOptions;
import io.ferry.proto.v1.Job;
import io.ferry.proto.v1.JobState;
import io.ferry.proto.v1.ListJobsRequest;
import io.ferry.proto.v1.StartCopyRequest;
import io.ferry.proto.v1.VerifyRequest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JobManagerTest {

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

  private static Reason reasonOf(Throwable e) {
    return ((FerryException) e).reason();
  }

  @Test
  void copiesSparseFileThroughEveryStateAndVerifies() throws Exception {
    Path src = fx.makeSource("a.img", 3 * 1024 * 1024 + 4096, 1);
    JobManager m = fx.start();
    List<JobState> seen = Collections.synchronizedList(new ArrayList<>());
    CountDownLatch ended = new CountDownLatch(1);
    Job job = m.startCopy(copy("r1", "a.img", "b.img", 0));
    m.watch(job.getId(), new JobService.JobWatcher() {
      @Override
      public void onUpdate(Job j) {
        if (seen.isEmpty() || seen.get(seen.size() - 1) != j.getState()) {
          seen.add(j.getState());
        }
      }

      @Override
      public void onEnd() {
        ended.countDown();
      }
    });
    assertThat(ended.await(60, TimeUnit.SECONDS)).isTrue();
    Job done = m.get(job.getId());
    assertThat(done.getState()).as(done.toString()).isEqualTo(JobState.COMPLETED);
    assertThat(sha256(fx.root.resolve("b.img"))).isEqualTo(sha256(src));
    assertThat(fx.root.resolve(".b.img.ferry-part")).doesNotExist();
    assertThat(done.getEventsList()).extracting(e -> e.getMessage())
        .anyMatch(msg -> msg.contains("QUEUED -> PREPARING"))
        .anyMatch(msg -> msg.contains("VERIFYING -> COMMITTING"))
        .anyMatch(msg -> msg.contains("COMMITTING -> COMPLETED"));
    assertThat(seen).endsWith(JobState.COMMITTING, JobState.COMPLETED);
    assertThat(done.getProgress().getHoleBytes()).isGreaterThan(0);
    assertThat(m.verify(VerifyRequest.newBuilder().setA(file("a.img")).setB(file("b.img"))
        .build()).getEqual()).isTrue();
  }

  @Test
  void sameRequestIdReturnsSameJobAndDifferentRequestIsAlreadyExists() throws Exception {
    fx.makeSource("a.img", 1024 * 1024, 2);
    JobManager m = fx.start();
    Job first = m.startCopy(copy("same", "a.img", "b.img", 0));
    Job again = m.startCopy(copy("same", "a.img", "b.img", 0));
    assertThat(again.getId()).isEqualTo(first.getId());
    assertThatThrownBy(() -> m.startCopy(copy("same", "a.img", "c.img", 0)))
        .satisfies(e -> assertThat(reasonOf(e)).isEqualTo(Reason.ALREADY_EXISTS))
        .hasMessageContaining("request_id");
    fx.awaitState(first.getId(), JobState.COMPLETED);
    assertThat(m.list(ListJobsRequest.getDefaultInstance())).hasSize(1);
  }

  @Test
  void requestIdsAreRememberedAcrossRestarts() throws Exception {
    fx.makeSource("a.img", 1024 * 1024, 12);
    JobManager m = fx.start();
    Job first = m.startCopy(copy("keep", "a.img", "b.img", 0));
    fx.awaitState(first.getId(), JobState.COMPLETED);
    m.close();
    JobManager again = fx.start();
    assertThat(again.get(first.getId()).getState()).isEqualTo(JobState.COMPLETED);
    assertThat(again.startCopy(copy("keep", "a.img", "b.img", 0)).getId())
        .isEqualTo(first.getId());
    assertThatThrownBy(() -> again.startCopy(copy("keep", "a.img", "c.img", 0)))
        .satisfies(e -> assertThat(reasonOf(e)).isEqualTo(Reason.ALREADY_EXISTS));
  }

  @Test
  void semanticErrorsAreRefusedBeforeAnythingIsCreated() throws Exception {
    fx.makeSource("a.img", 1024 * 1024, 3);
    fx.makeSource("exists.img", 1024 * 1024, 4);
    fx.makeSource("small.img", 64 * 1024, 5);
    JobManager m = fx.start();
    assertThatThrownBy(() -> m.startCopy(copy("r1", "missing.img", "b.img", 0)))
        .satisfies(e -> assertThat(reasonOf(e)).isEqualTo(Reason.NOT_FOUND))
        .hasMessageStartingWith("source.file.path");
    assertThatThrownBy(() -> m.startCopy(copy("r2", "a.img", "exists.img", 0)))
        .satisfies(e -> assertThat(reasonOf(e)).isEqualTo(Reason.ALREADY_EXISTS))
        .hasMessageStartingWith("destination.file.path");
    StartCopyRequest noCreate = copy("r3", "a.img", "nope.img", 0).toBuilder()
        .setOptions(CopyOptions.newBuilder().setCreateDestination(false)).build();
    assertThatThrownBy(() -> m.startCopy(noCreate))
        .satisfies(e -> assertThat(reasonOf(e)).isEqualTo(Reason.NOT_FOUND));
    StartCopyRequest tooSmall = copy("r4", "a.img", "small.img", 0).toBuilder()
        .setOptions(CopyOptions.newBuilder().setCreateDestination(false)).build();
    assertThatThrownBy(() -> m.startCopy(tooSmall))
        .satisfies(e -> assertThat(reasonOf(e)).isEqualTo(Reason.FAILED_PRECONDITION));
    assertThatThrownBy(() -> m.startCopy(copy("r5", "a.img", "../b.img", 0)))
        .satisfies(e -> assertThat(reasonOf(e)).isEqualTo(Reason.INVALID_ARGUMENT))
        .hasMessageStartingWith("destination.file.path");
    assertThatThrownBy(() -> m.startCopy(copy("", "a.img", "b.img", 0)))
        .hasMessageStartingWith("request_id");
    assertThat(m.list(ListJobsRequest.getDefaultInstance())).isEmpty();
    try (var files = Files.list(fx.journal)) {
      assertThat(files).isEmpty();
    }
    try (var files = Files.list(fx.root)) {
      assertThat(files.map(p -> p.getFileName().toString()))
          .containsExactlyInAnyOrder("a.img", "exists.img", "small.img");
    }
  }

  @Test
  void cancelRemovesDestinationAndLeavesSourceUntouched() throws Exception {
    Path src = fx.makeSource("a.img", 4 * 1024 * 1024, 6);
    String before = sha256(src);
    JobManager m = fx.start();
    Job job = m.startCopy(copy("r1", "a.img", "b.img", 1024 * 1024));
    fx.await(job.getId(), j -> j.getProgress().getBytesCopied() > 0,
        java.time.Duration.ofSeconds(30));
    Job cancelling = m.cancel(job.getId());
    assertThat(cancelling.getState()).isIn(JobState.CANCELLING, JobState.CANCELLED);
    Job done = fx.awaitState(job.getId(), JobState.CANCELLED);
    assertThat(done.getEventsList()).extracting(e -> e.getMessage())
        .anyMatch(msg -> msg.contains("CANCELLING -> CANCELLED"));
    assertThat(sha256(src)).isEqualTo(before);
    assertThat(fx.root.resolve("b.img")).doesNotExist();
    assertThat(fx.root.resolve(".b.img.ferry-part")).doesNotExist();
    assertThatThrownBy(() -> m.cancel(job.getId()))
        .satisfies(e -> assertThat(reasonOf(e)).isEqualTo(Reason.FAILED_PRECONDITION))
        .hasMessageStartingWith("cannot cancel job " + job.getId() + ": it is CANCELLED");
  }

  @Test
  void secondJobWaitsQueuedWithReasonUntilFirstEnds() throws Exception {
    fx.makeSource("a.img", 2 * 1024 * 1024, 7);
    fx.makeSource("c.img", 1024 * 1024, 8);
    JobManager m = fx.start(JobFixture.config(fx.journal).withMaxConcurrentJobs(1),
        JobHooks.NONE);
    Job first = m.startCopy(copy("r1", "a.img", "b.img", 2 * 1024 * 1024));
    fx.await(first.getId(), j -> j.getState() != JobState.QUEUED, java.time.Duration.ofSeconds(10));
    Job second = m.startCopy(copy("r2", "c.img", "d.img", 0));
    Job queued = m.get(second.getId());
    assertThat(queued.getState()).isEqualTo(JobState.QUEUED);
    assertThat(queued.getQueuedReason()).contains("max_concurrent_jobs=1");
    assertThat(m.list(ListJobsRequest.newBuilder().addStates(JobState.QUEUED).build()))
        .extracting(Job::getId).containsExactly(second.getId());
    assertThat(m.budgets().getQueuedJobs()).isEqualTo(1);
    Job a = fx.awaitState(first.getId(), JobState.COMPLETED);
    Job b = fx.awaitState(second.getId(), JobState.COMPLETED);
    long firstEnd = a.getUpdated().getSeconds() * 1_000_000_000L + a.getUpdated().getNanos();
    var started = b.getEventsList().stream()
        .filter(e -> e.getMessage().contains("QUEUED -> PREPARING")).findFirst().orElseThrow();
    long secondStart = started.getTime().getSeconds() * 1_000_000_000L
        + started.getTime().getNanos();
    assertThat(secondStart).isGreaterThanOrEqualTo(firstEnd - 50_000_000L);
  }

  @Test
  void setBandwidthChangesRunningJobsCap() throws Exception {
    fx.makeSource("a.img", 8 * 1024 * 1024, 9);
    JobManager m = fx.start();
    Job job = m.startCopy(copy("r1", "a.img", "b.img", 256 * 1024));
    fx.await(job.getId(), j -> j.getProgress().getBytesCopied() > 0,
        java.time.Duration.ofSeconds(30));
    long t0 = System.nanoTime();
    Job changed = m.setBandwidth(job.getId(), 0);
    assertThat(changed.getCopyOptions().getBandwidthBytesPerSec()).isZero();
    fx.awaitState(job.getId(), JobState.COMPLETED);
    // 4 MiB of data left at 256 KiB/s would take > 10 s.
    assertThat(TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - t0)).isLessThan(10);
    assertThatThrownBy(() -> m.setBandwidth(job.getId(), 1))
        .satisfies(e -> assertThat(reasonOf(e)).isEqualTo(Reason.FAILED_PRECONDITION));
  }

  @Test
  void hostBandwidthBudgetIsSharedByAllJobs() throws Exception {
    fx.makeSource("a.img", 4 * 1024 * 1024, 10); // 2 MiB of data each
    fx.makeSource("c.img", 4 * 1024 * 1024, 11);
    JobManager m = fx.start(JobFixture.config(fx.journal).withTotalBandwidth(2 * 1024 * 1024),
        JobHooks.NONE);
    long t0 = System.nanoTime();
    Job a = m.startCopy(copy("r1", "a.img", "b.img", 0));
    Job c = m.startCopy(copy("r2", "c.img", "d.img", 0));
    fx.awaitState(a.getId(), JobState.COMPLETED);
    fx.awaitState(c.getId(), JobState.COMPLETED);
    // 4 MiB of data through a 2 MiB/s host budget: about two seconds, whatever the jobs' caps.
    assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0)).isGreaterThan(1500);
    assertThat(m.budgets().getTotalBandwidthBytesPerSec()).isEqualTo(2 * 1024 * 1024);
  }

  @Test
  void unknownJobIsNotFound() throws Exception {
    JobManager m = fx.start();
    assertThatThrownBy(() -> m.get("nope"))
        .satisfies(e -> assertThat(reasonOf(e)).isEqualTo(Reason.NOT_FOUND));
  }
}
