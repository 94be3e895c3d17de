package io.ferry.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.ferry.proto.v1.Job;
import io.ferry.proto.v1.JobState;
import io.ferry.proto.v1.Progress;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class ProgressRendererTest {

  static Job job(JobState s, long done, long total) {
    return Job.newBuilder().setId("j-1").setState(s).setProgress(Progress.newBuilder()
        .setBytesDone(done).setBytesTotal(total).setRateBytesPerSec(100L << 20).setEtaSeconds(75)
        .setDirtyBytes(4L << 20).setBytesCopied(done).setHoleBytes(1L << 30)).build();
  }

  @Test
  void plainLinesOnStateChangesAndAtMostOnePerInterval() {
    StringWriter sw = new StringWriter();
    AtomicLong clock = new AtomicLong(0);
    ProgressRenderer r = new ProgressRenderer(new PrintWriter(sw), false, 1000, clock::get);
    r.update(job(JobState.SYNCING, 0, 1L << 30));
    clock.set(10);
    r.update(job(JobState.SYNCING, 1L << 20, 1L << 30)); // too soon: skipped
    clock.set(1500);
    r.update(job(JobState.SYNCING, 512L << 20, 1L << 30));
    r.update(job(JobState.VERIFYING, 0, 1L << 30)); // state change: printed at once
    r.finish(job(JobState.COMPLETED, 1L << 30, 1L << 30));
    String[] lines = sw.toString().split("\n");
    assertThat(lines).hasSize(4);
    assertThat(lines[0]).isEqualTo("j-1 syncing 0% 0 B/1.00 GiB 100 MiB/s ETA 1m15s dirty 4.00 MiB");
    assertThat(lines[1]).startsWith("j-1 syncing 50% 512 MiB/1.00 GiB");
    assertThat(lines[2]).startsWith("j-1 verifying 0%");
    assertThat(lines[3]).isEqualTo(
        "job j-1 completed: copied 1.00 GiB, holes kept 1.00 GiB, regions merged 0");
    assertThat(sw.toString()).doesNotContain("\r").doesNotContain("\033");
  }

  @Test
  void onATerminalOneLineIsRedrawnWithABar() {
    StringWriter sw = new StringWriter();
    ProgressRenderer r = new ProgressRenderer(new PrintWriter(sw), true, 1000, () -> 0);
    r.update(job(JobState.SYNCING, 1L << 29, 1L << 30));
    r.update(job(JobState.SYNCING, 3L << 28, 1L << 30));
    assertThat(sw.toString()).startsWith("\r[############............] j-1 syncing 50%")
        .contains("\r[##################......] j-1 syncing 75%")
        .doesNotContain("\n");
  }

  @Test
  void queuedShowsWhy() {
    Job q = Job.newBuilder().setId("j").setState(JobState.QUEUED)
        .setQueuedReason("2 of 2 jobs running").build();
    assertThat(ProgressRenderer.line(q)).isEqualTo("j queued (2 of 2 jobs running)");
  }
}
