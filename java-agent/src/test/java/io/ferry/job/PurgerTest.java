package io.ferry.job;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.Timestamp;
import io.ferry.journal.JobJournal;
import io.ferry.proto.v1.Job;
import io.ferry.proto.v1.JobState;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PurgerTest {

  private static final Instant T0 = Instant.parse("2026-11-01T00:00:00Z");
  private static final Duration KEEP = Duration.ofDays(7);

  @TempDir Path dir;

  /** A clock the test moves by hand. */
  static final class FakeClock extends Clock {
    final AtomicReference<Instant> now = new AtomicReference<>(T0);

    void advance(Duration d) {
      now.updateAndGet(t -> t.plus(d));
    }

    @Override
    public Instant instant() {
      return now.get();
    }

    @Override
    public ZoneOffset getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(java.time.ZoneId zone) {
      return this;
    }
  }

  private final FakeClock clock = new FakeClock();

  private JobEntry add(JobStore store, String id, JobState state) {
    JobEntry e = new JobEntry(Job.newBuilder().setId(id).setState(state)
        .setUpdated(Timestamp.newBuilder().setSeconds(clock.instant().getEpochSecond())).build());
    store.add(e);
    return e;
  }

  private static Set<String> ids(JobStore store) {
    return store.all().stream().map(e -> e.id).collect(Collectors.toSet());
  }

  private static Set<String> journaled(Path dir) throws IOException {
    return new JobJournal(dir).loadAll().stream().map(r -> r.getJob().getId())
        .collect(Collectors.toSet());
  }

  @Test
  void dropsOnlyFinishedJobsOlderThanTheRetentionFromListAndJournal() throws IOException {
    JobStore store = new JobStore(new JobJournal(dir), clock, Duration.ZERO);
    add(store, "done-old", JobState.COMPLETED);
    add(store, "failed-old", JobState.FAILED);
    add(store, "cancelled-old", JobState.CANCELLED);
    add(store, "queued-old", JobState.QUEUED);
    add(store, "syncing-old", JobState.SYNCING);
    add(store, "cancelling-old", JobState.CANCELLING);
    clock.advance(Duration.ofDays(6));
    add(store, "done-young", JobState.COMPLETED);
    Purger purger = new Purger(store, KEEP, id -> false);

    assertThat(purger.purge()).isEmpty(); // nothing has been finished for 7 days yet

    clock.advance(Duration.ofDays(1).plusSeconds(1));
    assertThat(purger.purge()).containsExactlyInAnyOrder("done-old", "failed-old",
        "cancelled-old");
    Set<String> kept = Set.of("queued-old", "syncing-old", "cancelling-old", "done-young");
    assertThat(ids(store)).isEqualTo(kept);
    assertThat(journaled(dir)).isEqualTo(kept);

    clock.advance(Duration.ofDays(6));
    assertThat(purger.purge()).containsExactly("done-young");
  }

  @Test
  void keepsAFinishedJobWhoseDestinationIsStillServed() throws IOException {
    JobStore store = new JobStore(new JobJournal(dir), clock, Duration.ZERO);
    add(store, "online", JobState.COMPLETED);
    add(store, "plain", JobState.COMPLETED);
    Set<String> served = new java.util.HashSet<>(Set.of("online"));
    Purger purger = new Purger(store, KEEP, served::contains);
    clock.advance(Duration.ofDays(30));

    assertThat(purger.purge()).containsExactly("plain");
    assertThat(journaled(dir)).containsExactly("online");

    served.clear(); // the operator stopped the export
    assertThat(purger.purge()).containsExactly("online");
    assertThat(journaled(dir)).isEmpty();
  }

  @Test
  void eachPurgedJobIsForgottenElsewhereTooAndAFailureThereDoesNotStopTheSweep()
      throws IOException {
    JobStore store = new JobStore(new JobJournal(dir), clock, Duration.ZERO);
    add(store, "a", JobState.COMPLETED);
    add(store, "b", JobState.CANCELLED);
    java.util.List<String> forgotten = new java.util.ArrayList<>();
    Purger purger = new Purger(store, KEEP, id -> false, id -> {
      forgotten.add(id);
      throw new IllegalStateException("disk gone");
    });
    clock.advance(Duration.ofDays(8));

    assertThat(purger.purge()).containsExactlyInAnyOrder("a", "b");
    assertThat(forgotten).containsExactlyInAnyOrder("a", "b");
    assertThat(journaled(dir)).isEmpty();
  }

  @Test
  void aRecordThatCannotBeDeletedDoesNotStopTheSweepAndIsTriedAgain() throws IOException {
    JobStore store = new JobStore(new JobJournal(dir), clock, Duration.ZERO);
    add(store, "a", JobState.COMPLETED);
    add(store, "b", JobState.COMPLETED);
    add(store, "c", JobState.FAILED);
    // "b"'s record turns into a non-empty directory: deleting it fails, even for root
    Path b = dir.resolve("b.job");
    java.nio.file.Files.delete(b);
    java.nio.file.Files.createDirectories(b.resolve("in-the-way"));
    Purger purger = new Purger(store, KEEP, id -> false);
    clock.advance(Duration.ofDays(8));

    assertThat(purger.purge()).containsExactlyInAnyOrder("a", "c");
    assertThat(ids(store)).containsExactly("b");

    java.nio.file.Files.delete(b.resolve("in-the-way"));
    assertThat(purger.purge()).containsExactly("b");
    assertThat(ids(store)).isEmpty();
  }

  @Test
  void keepsAFinishedJobWhoseRunnerHasNotLetGoYet() throws IOException {
    JobStore store = new JobStore(new JobJournal(dir), clock, Duration.ZERO);
    JobEntry e = add(store, "ending", JobState.FAILED);
    e.mirror = org.mockito.Mockito.mock(LiveMirrorRunner.class);
    clock.advance(Duration.ofDays(8));
    Purger purger = new Purger(store, KEEP, id -> false);

    assertThat(purger.purge()).isEmpty();
    e.mirror = null;
    assertThat(purger.purge()).containsExactly("ending");
  }

  @Test
  void theRetentionCountsFromTheJobsLastChangeNotItsCreation() throws IOException {
    JobStore store = new JobStore(new JobJournal(dir), clock, Duration.ZERO);
    JobEntry e = add(store, "long", JobState.SYNCING);
    clock.advance(Duration.ofDays(10)); // ran for 10 days
    store.transition(e, JobState.MERGING, "");
    store.transition(e, JobState.VERIFYING, "");
    store.transition(e, JobState.COMMITTING, "");
    store.transition(e, JobState.COMPLETED, "");
    Purger purger = new Purger(store, KEEP, id -> false);

    clock.advance(Duration.ofDays(3));
    assertThat(purger.purge()).isEmpty();
    clock.advance(Duration.ofDays(5));
    assertThat(purger.purge()).containsExactly("long");
  }
}
