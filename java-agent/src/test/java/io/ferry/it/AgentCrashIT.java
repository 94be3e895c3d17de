package io.ferry.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.ferry.demo.SampleVolume;
import io.ferry.device.file.FileDevice;
import io.ferry.proto.v1.CopyOptions;
import io.ferry.proto.v1.Endpoint;
import io.ferry.proto.v1.FileImage;
import io.ferry.proto.v1.GetJobRequest;
import io.ferry.proto.v1.Job;
import io.ferry.proto.v1.JobState;
import io.ferry.proto.v1.StartCopyRequest;
import io.ferry.proto.v1.WatchJobRequest;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Iterator;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real crash: the agent runs as its own process, is killed with SIGKILL in the middle of a
 * large copy, and is started again. The job must resume from its checkpoint and end with a
 * destination equal to the source, having written well under the whole volume after the restart.
 */
class AgentCrashIT {

  private static final long SIZE = 1L << 30;
  private static final long STRIDE = 32L << 20;

  @TempDir Path dir;

  @Test
  void killNineMidCopyThenRestartResumesFromTheCheckpoint() throws Exception {
    Files.createDirectories(dir.resolve("src"));
    Files.createDirectories(dir.resolve("dst"));
    long data;
    try (FileDevice d = FileDevice.create(dir.resolve("src/disk.raw"), SIZE, true)) {
      data = SampleVolume.fill(d, STRIDE, 11);
    }
    int port = AgentProcess.freePort();
    Path config = dir.resolve("agent.yaml");
    Files.writeString(config, "listen: 127.0.0.1:" + port + "\ninsecure_plaintext: true\n"
        + "roots:\n  src: src\n  dst: dst\njournal_dir: journal\n");
    Path log = dir.resolve("agent.log");

    String jobId;
    try (AgentProcess agent = new AgentProcess(config, log, port).start()) {
      Job job = agent.api().startCopy(StartCopyRequest.newBuilder()
          .setRequestId("crash-it")
          .setSource(file("src"))
          .setDestination(file("dst"))
          .setOptions(CopyOptions.newBuilder().setCreateDestination(true)
              .setBandwidthBytesPerSec(96L << 20))
          .build());
      jobId = job.getId();
      waitUntilHalfSynced(agent, jobId);
      agent.kill9();
    }

    try (AgentProcess agent = new AgentProcess(config, log, port).start()) {
      Job before = agent.api().getJob(GetJobRequest.newBuilder().setJobId(jobId).build());
      assertThat(before.getState()).as("journaled job comes back unfinished")
          .isNotIn(JobState.COMPLETED, JobState.FAILED, JobState.CANCELLED);
      Job done = follow(agent, jobId);
      assertThat(done.getState()).as(done.getError().getMessage()).isEqualTo(JobState.COMPLETED);
      assertThat(done.getProgress().getRestarts()).isGreaterThanOrEqualTo(1);
      assertThat(done.getProgress().getBytesWritten())
          .as("bytes written after the restart, of %d data bytes", data)
          .isLessThan(data * 3 / 4);
      assertThat(done.getEventsList()).anyMatch(e -> e.getKind().equals("resume"));
    }
    assertSameContent(dir.resolve("src/disk.raw"), dir.resolve("dst/disk.raw"));
    assertThat(Files.list(dir.resolve("dst")).map(p -> p.getFileName().toString()))
        .as("no temporary file left behind").containsExactly("disk.raw");
  }

  private static void waitUntilHalfSynced(AgentProcess agent, String id)
      throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
    while (System.nanoTime() < deadline) {
      Job j = agent.api().getJob(GetJobRequest.newBuilder().setJobId(id).build());
      var p = j.getProgress();
      if (j.getState() == JobState.SYNCING && p.getBytesTotal() > 0
          && p.getBytesDone() * 2 >= p.getBytesTotal()) {
        Thread.sleep(1500); // let a checkpoint past the half be written
        return;
      }
      assertThat(j.getState()).as("still copying").isIn(JobState.QUEUED, JobState.PREPARING,
          JobState.SYNCING);
      Thread.sleep(100);
    }
    throw new AssertionError("copy did not reach half way in time");
  }

  private static Job follow(AgentProcess agent, String id) {
    Iterator<Job> it = agent.api().withDeadlineAfter(5, TimeUnit.MINUTES)
        .watchJob(WatchJobRequest.newBuilder().setJobId(id).build());
    Job last = null;
    while (it.hasNext()) {
      last = it.next();
    }
    return last;
  }

  private static Endpoint file(String root) {
    return Endpoint.newBuilder()
        .setFile(FileImage.newBuilder().setRoot(root).setPath("disk.raw")).build();
  }

  private static void assertSameContent(Path a, Path b) throws IOException {
    assertThat(Files.size(b)).isEqualTo(Files.size(a));
    try (InputStream ia = Files.newInputStream(a); InputStream ib = Files.newInputStream(b)) {
      byte[] ba = new byte[1 << 20];
      byte[] bb = new byte[1 << 20];
      long off = 0;
      int n;
      while ((n = ia.readNBytes(ba, 0, ba.length)) > 0) {
        assertThat(ib.readNBytes(bb, 0, n)).isEqualTo(n);
        if (!Arrays.equals(ba, 0, n, bb, 0, n)) {
          throw new AssertionError("destination differs from the source in the MiB at " + off);
        }
        off += n;
      }
    }
  }
}
