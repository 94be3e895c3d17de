package io.ferry.job;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ferry.error.FerryException;
import io.ferry.error.Reason;
import io.ferry.journal.FaultPoint;
import io.ferry.journal.JobJournal;
import io.ferry.proto.v1.Job;
import io.ferry.proto.v1.JobState;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JobStoreTest {

  @TempDir Path dir;

  private static JobEntry entry(String id) {
    return new JobEntry(Job.newBuilder().setId(id).setState(JobState.QUEUED).build());
  }

  @Test
  void transitionIsOnDiskBeforeAnyoneSeesIt() throws IOException {
    JobJournal journal = new JobJournal(dir);
    JobStore store = new JobStore(journal, Clock.systemUTC(), Duration.ZERO);
    List<JobState> onDiskWhenSeen = new ArrayList<>();
    store.addObserver((before, after) -> {
      try {
        onDiskWhenSeen.add(new JobJournal(dir).loadAll().get(0).getJob().getState());
      } catch (IOException e) {
        throw new AssertionError(e);
      }
    });
    JobEntry e = entry("j1");
    store.add(e);
    store.transition(e, JobState.PREPARING, "");
    store.transition(e, JobState.SYNCING, "");
    assertThat(onDiskWhenSeen).containsExactly(JobState.QUEUED, JobState.PREPARING,
        JobState.SYNCING);
  }

  @Test
  void failedJournalWriteRefusesTheTransitionAndPublishesNothing() throws IOException {
    AtomicBoolean broken = new AtomicBoolean();
    JobJournal journal = new JobJournal(dir, p -> {
      if (broken.get() && p == FaultPoint.BEFORE_RENAME) {
        throw new IOException("disk full");
      }
    });
    JobStore store = new JobStore(journal, Clock.systemUTC(), Duration.ZERO);
    JobEntry e = entry("j2");
    store.add(e);
    List<Job> seen = new ArrayList<>();
    store.addObserver((before, after) -> seen.add(after));
    broken.set(true);
    assertThatThrownBy(() -> store.transition(e, JobState.PREPARING, ""))
        .isInstanceOf(FerryException.class)
        .satisfies(x -> assertThat(((FerryException) x).reason()).isEqualTo(Reason.UNAVAILABLE))
        .hasMessageContaining("disk full");
    assertThat(e.job.getState()).isEqualTo(JobState.QUEUED);
    assertThat(seen).isEmpty();
    assertThat(new JobJournal(dir).loadAll().get(0).getJob().getState())
        .isEqualTo(JobState.QUEUED);
  }

  @Test
  void refusedTransitionChangesNothing() throws IOException {
    JobStore store = new JobStore(new JobJournal(dir), Clock.systemUTC(), Duration.ZERO);
    JobEntry e = entry("j3");
    store.add(e);
    assertThatThrownBy(() -> store.transition(e, JobState.COMPLETED, ""))
        .hasMessageContaining("QUEUED -> COMPLETED");
    assertThat(e.job.getState()).isEqualTo(JobState.QUEUED);
    assertThat(e.job.getEventsCount()).isZero();
  }

  @Test
  void eventsAreBoundedAndKeepTheLatest() throws IOException {
    JobStore store = new JobStore(new JobJournal(dir), Clock.systemUTC(), Duration.ZERO);
    JobEntry e = entry("j4");
    store.add(e);
    for (int i = 0; i < JobStore.MAX_EVENTS + 10; i++) {
      store.event(e, "test", "event " + i);
    }
    assertThat(e.job.getEventsCount()).isEqualTo(JobStore.MAX_EVENTS);
    assertThat(e.job.getEvents(JobStore.MAX_EVENTS - 1).getMessage())
        .isEqualTo("event " + (JobStore.MAX_EVENTS + 9));
  }

  @Test
  void watcherSeesEveryTransitionThenTheEnd() throws IOException {
    JobStore store = new JobStore(new JobJournal(dir), Clock.systemUTC(), Duration.ZERO);
    JobEntry e = entry("j5");
    store.add(e);
    List<String> calls = new ArrayList<>();
    store.addWatcher(e, new JobService.JobWatcher() {
      @Override
      public void onUpdate(Job job) {
        calls.add(job.getState().name());
      }

      @Override
      public void onEnd() {
        calls.add("end");
      }
    });
    store.transition(e, JobState.CANCELLING, "cancel", "", b -> b);
    store.transition(e, JobState.CANCELLED, "");
    assertThat(calls).containsExactly("QUEUED", "CANCELLING", "CANCELLED", "end");
    assertThat(e.watchers).isEmpty();
  }
}
