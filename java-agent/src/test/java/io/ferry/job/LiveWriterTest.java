package io.ferry.job;

import static io.ferry.job.JobFixture.copy;
import static io.ferry.job.JobFixture.file;
import static org.assertj.core.api.Assertions.assertThat;

import io.ferry.endpoint.SharedDevice;
import io.ferry.proto.v1.Job;
import io.ferry.proto.v1.JobState;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A writer keeps changing the source through the agent's shared device while a job copies it:
 * every write that completed before the source was frozen for the final pass is on the
 * destination at the end.
 */
class LiveWriterTest {

  static final int BLOCK = 4096;

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
  void everyWriteMadeDuringTheCopyIsOnTheDestination() throws Exception {
    long size = 8L * 1024 * 1024;
    fx.makeSource("a.img", size, 5);
    JobManager m = fx.start();
    Map<Long, byte[]> expected = new HashMap<>();
    AtomicInteger writes = new AtomicInteger();
    try (SharedDevice dev = fx.resolver.acquire(file("a.img"), "writer")) {
      Job job = m.startCopy(copy("r1", "a.img", "b.img", 4L * 1024 * 1024));
      Thread writer = new Thread(() -> write(m, job.getId(), dev, size, expected, writes));
      writer.start();
      Job done = fx.awaitState(job.getId(), JobState.COMPLETED);
      writer.join(10_000);
      assertThat(writer.isAlive()).isFalse();
      assertThat(writes.get()).as("writes made during the copy").isGreaterThan(20);
      assertThat(done.getProgress().getRegionsMerged()).isGreaterThan(0);
    }
    byte[] dest = Files.readAllBytes(fx.root.resolve("b.img"));
    int checked = 0;
    for (Map.Entry<Long, byte[]> e : expected.entrySet()) {
      byte[] got = java.util.Arrays.copyOfRange(dest, (int) (long) e.getKey(),
          (int) (e.getKey() + BLOCK));
      assertThat(got).as("block at " + e.getKey()).isEqualTo(e.getValue());
      checked++;
    }
    assertThat(checked).isGreaterThan(20);
  }

  /** Writes random blocks until the job verifies; records the writes that must be copied. */
  private static void write(JobManager m, String id, SharedDevice dev, long size,
      Map<Long, byte[]> expected, AtomicInteger writes) {
    Random r = new Random(9);
    try {
      while (before(m.get(id).getState())) {
        // A 1 MiB window in the middle: merge passes stay short.
        long off = size / 2 + (long) r.nextInt(256) * BLOCK;
        byte[] data = new byte[BLOCK];
        r.nextBytes(data);
        dev.write(off, ByteBuffer.wrap(data));
        writes.incrementAndGet();
        if (before(m.get(id).getState())) {
          expected.put(off, data);
        } else {
          expected.remove(off); // may or may not have made the final pass
          return;
        }
        Thread.sleep(5);
      }
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  /** True while the source is not yet frozen for the final pass (writes still tracked). */
  private static boolean before(JobState s) {
    return s == JobState.QUEUED || s == JobState.PREPARING || s == JobState.SYNCING
        || s == JobState.MERGING;
  }
}
