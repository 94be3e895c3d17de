package io.ferry.job;

import static io.ferry.job.JobFixture.copy;
import static org.assertj.core.api.Assertions.assertThat;

import io.ferry.endpoint.DefaultEndpointResolver;
import io.ferry.endpoint.RawFileCodec;
import io.ferry.error.FerryException;
import io.ferry.journal.JobJournal;
import io.ferry.proto.v1.Job;
import io.ferry.proto.v1.JobState;
import io.ferry.proto.v1.ListJobsRequest;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.assertj.core.api.Assertions;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The job manager purges finished jobs while it runs, and again when it starts. */
class FinishedJobRetentionTest {

  @TempDir Path tmp;
  JobFixture fx;
  final PurgerTest.FakeClock clock = new PurgerTest.FakeClock();

  @BeforeEach
  void setUp() throws Exception {
    fx = new JobFixture(tmp);
  }

  @AfterEach
  void tearDown() {
    fx.close();
  }

  private JobManager start(Duration keep, Duration every) throws Exception {
    fx.resolver = new DefaultEndpointResolver(Map.of("default", fx.root), RawFileCodec.registry());
    fx.manager = new JobManager(JobFixture.config(fx.journal).withRetention(keep, every),
        fx.resolver, StandardParts.create(), JobHooks.NONE, clock);
    return fx.manager;
  }

  @Test
  void aCompletedJobIsPurgedByTheScheduledSweepOnceOlderThanTheRetention() throws Exception {
    fx.makeSource("a.img", 512 * 1024, 7);
    JobManager m = start(Duration.ofHours(2), Duration.ofMillis(50));
    Job job = m.startCopy(copy("r1", "a.img", "b.img", 0));
    fx.awaitState(job.getId(), JobState.COMPLETED);

    clock.advance(Duration.ofHours(1)); // younger than the retention: the sweeps keep it
    Thread.sleep(300);
    assertThat(m.get(job.getId()).getState()).isEqualTo(JobState.COMPLETED);

    clock.advance(Duration.ofHours(1).plusSeconds(2));
    Awaitility.await().atMost(Duration.ofSeconds(10)).until(
        () -> m.list(ListJobsRequest.getDefaultInstance()).isEmpty());
    Assertions.assertThatThrownBy(() -> m.get(job.getId())).isInstanceOf(FerryException.class)
        .hasMessageContaining("does not exist");
    assertThat(new JobJournal(fx.journal).loadAll()).isEmpty();
    assertThat(fx.root.resolve("b.img")).exists(); // only the record goes, never data
    // the purged job's request id is forgotten too: it names a new job, not a vanished one
    Job again = m.startCopy(copy("r1", "a.img", "b2.img", 0));
    assertThat(again.getId()).isNotEqualTo(job.getId());
    fx.awaitState(again.getId(), JobState.COMPLETED);
  }

  @Test
  void aRestartPurgesWhatExpiredWhileTheAgentWasDown() throws Exception {
    fx.makeSource("a.img", 256 * 1024, 8);
    JobManager m = start(Duration.ofDays(1), Duration.ofHours(1));
    Job job = m.startCopy(copy("r1", "a.img", "b.img", 0));
    fx.awaitState(job.getId(), JobState.COMPLETED);
    m.close();

    clock.advance(Duration.ofHours(23));
    JobManager again = start(Duration.ofDays(1), Duration.ofHours(1));
    assertThat(again.get(job.getId()).getState()).isEqualTo(JobState.COMPLETED);
    again.close();

    clock.advance(Duration.ofHours(2));
    JobManager third = start(Duration.ofDays(1), Duration.ofHours(1));
    assertThat(third.list(ListJobsRequest.getDefaultInstance())).isEmpty();
  }

  @Test
  void aRunningJobIsNeverPurgedHoweverOld() throws Exception {
    fx.makeSource("a.img", 4 * 1024 * 1024, 9);
    JobManager m = start(Duration.ofHours(1), Duration.ofMillis(20));
    Job job = m.startCopy(copy("r1", "a.img", "b.img", 256 * 1024)); // ~16 s at this cap
    fx.await(job.getId(), j -> j.getState() == JobState.SYNCING, Duration.ofSeconds(30));
    clock.advance(Duration.ofDays(400));
    Thread.sleep(200);
    assertThat(m.purgeFinished()).isEmpty();
    assertThat(m.get(job.getId()).getState()).isNotIn(JobState.COMPLETED, JobState.FAILED,
        JobState.CANCELLED);
    m.cancel(job.getId());
    fx.awaitState(job.getId(), JobState.CANCELLED);
  }
}
