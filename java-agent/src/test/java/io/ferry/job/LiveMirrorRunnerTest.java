package io.ferry.job;

import static org.assertj.core.api.Assertions.assertThat;

import io.ferry.journal.JobJournal;
import io.ferry.journal.proto.JobRecord;
import io.ferry.proto.v1.Job;
import io.ferry.proto.v1.JobKind;
import io.ferry.proto.v1.JobState;
import io.ferry.virt.IoTune;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The guest limits a live mirror saves are in the journal before it goes on. */
class LiveMirrorRunnerTest {

  @TempDir Path dir;

  @Test
  void savedGuestLimitsAreJournaledAndClearedOnceRestored() throws Exception {
    JobStore store = new JobStore(new JobJournal(dir), Clock.systemUTC(), Duration.ZERO);
    JobEntry e = new JobEntry(Job.newBuilder().setId("m1").setKind(JobKind.LIVE_MIRROR)
        .setState(JobState.SYNCING).build());
    store.add(e);
    LiveMirrorRunner runner = new LiveMirrorRunner(e, store);
    IoTune saved = new IoTune(0, 7, 9);

    runner.onGuestLimitsSaved(saved);
    JobRecord r = new JobJournal(dir).loadAll().get(0);
    assertThat(r.hasSavedIoLimits()).isTrue();
    assertThat(r.getSavedIoLimits().getReadBytesSec()).isEqualTo(7);
    assertThat(r.getSavedIoLimits().getWriteBytesSec()).isEqualTo(9);
    JobEntry reloaded = new JobEntry(r.getJob());
    reloaded.savedIoLimits = r.getSavedIoLimits();
    assertThat(LiveMirrorRunner.savedLimits(reloaded)).isEqualTo(saved);
    assertThat(r.getJob().getEventsList()).anyMatch(ev -> ev.getKind().equals("throttle"));

    runner.onGuestLimitsSaved(null);
    assertThat(new JobJournal(dir).loadAll().get(0).hasSavedIoLimits()).isFalse();
    assertThat(LiveMirrorRunner.savedLimits(e)).isNull();
  }
}
