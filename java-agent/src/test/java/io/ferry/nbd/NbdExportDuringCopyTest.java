package io.ferry.nbd;

import static org.assertj.core.api.Assertions.assertThat;

import io.ferry.Agent;
import io.ferry.config.ConfigLoader;
import io.ferry.device.file.FileDevice;
import io.ferry.proto.v1.CopyOptions;
import io.ferry.proto.v1.Endpoint;
import io.ferry.proto.v1.FerryAgentGrpc;
import io.ferry.proto.v1.FileImage;
import io.ferry.proto.v1.GetJobRequest;
import io.ferry.proto.v1.Job;
import io.ferry.proto.v1.JobState;
import io.ferry.proto.v1.StartCopyRequest;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real agent copies a volume while qemu-io writes into it through the agent's NBD export:
 * the writes pass the shared device's write tap, so the job merges them and the destination has
 * them.
 */
class NbdExportDuringCopyTest {

  private static final long SIZE = 32L << 20;

  @TempDir Path dir;

  private static Endpoint file(String root) {
    return Endpoint.newBuilder().setFile(FileImage.newBuilder().setRoot(root).setPath("vol.raw"))
        .build();
  }

  @Test
  void writesThroughTheExportDuringACopyReachTheDestination() throws Exception {
    Tools.require("qemu-io");
    Files.createDirectories(dir.resolve("pool-a"));
    Files.createDirectories(dir.resolve("pool-b"));
    try (FileDevice src = FileDevice.create(dir.resolve("pool-a/vol.raw"), SIZE, true)) {
      for (long off = 0; off < SIZE; off += 4L << 20) {
        src.write(off, NbdServerInteropTest.fill(1 << 20, (byte) 0x11));
      }
    }
    Path config = dir.resolve("agent.yaml");
    Files.writeString(config, String.join("\n", "listen: 127.0.0.1:0", "insecure_plaintext: true",
        "roots:", "  pool-a: " + dir.resolve("pool-a"), "  pool-b: " + dir.resolve("pool-b"),
        "journal_dir: " + dir.resolve("journal"), ""));
    try (Agent agent = Agent.start(ConfigLoader.load(config))) {
      ManagedChannel ch = ManagedChannelBuilder.forAddress("127.0.0.1", agent.port())
          .usePlaintext().build();
      try (NbdServer nbd = agent.exportNbd(file("pool-a"),
          UnixDomainSocketAddress.of(dir.resolve("nbd.sock")), false)) {
        var api = FerryAgentGrpc.newBlockingStub(ch);
        Job job = api.startCopy(StartCopyRequest.newBuilder().setRequestId("nbd-" + System.nanoTime())
            .setSource(file("pool-a")).setDestination(file("pool-b"))
            .setOptions(CopyOptions.newBuilder().setCreateDestination(true).setVerify(true)
                .setKeepSparse(true).setBandwidthBytesPerSec(6L << 20))
            .build());
        waitFor(api, job.getId(), Set.of(JobState.SYNCING));
        Tools.ok("qemu-io", "-f", "raw", "-c", "write -P 0x5a 1M 64k", "-c",
            "write -P 0x5b 30M 64k", "-c", "write -z 0 64k", nbd.uri());
        job = waitFor(api, job.getId(),
            Set.of(JobState.COMPLETED, JobState.FAILED, JobState.CANCELLED));
        assertThat(job.getState()).as(job.toString()).isEqualTo(JobState.COMPLETED);
        assertThat(job.getProgress().getRegionsMerged()).as("export writes merged").isPositive();
      } finally {
        ch.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
      }
    }
    try (FileDevice dst = FileDevice.openReadOnly(dir.resolve("pool-b/vol.raw"))) {
      assertThat(bytes(dst, 1L << 20, 64 << 10)).containsOnly((byte) 0x5a);
      assertThat(bytes(dst, 30L << 20, 64 << 10)).containsOnly((byte) 0x5b);
      assertThat(bytes(dst, 0, 64 << 10)).containsOnly((byte) 0);
    }
  }

  private static byte[] bytes(FileDevice d, long off, int len) throws Exception {
    ByteBuffer b = ByteBuffer.allocate(len);
    d.read(off, b);
    return b.array();
  }

  private static Job waitFor(FerryAgentGrpc.FerryAgentBlockingStub api, String id,
      Set<JobState> states) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (true) {
      Job j = api.getJob(GetJobRequest.newBuilder().setJobId(id).build());
      if (states.contains(j.getState()) || System.nanoTime() > deadline
          || j.getState() == JobState.FAILED) {
        return j;
      }
      Thread.sleep(50);
    }
  }
}
