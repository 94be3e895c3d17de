package io.ferry.format;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;

/** qemu-img and qemu-io as the test oracle, plus deterministic raw images with holes. */
public final class Qemu {

  private Qemu() {}

  public record Result(int exit, String out) {}

  public static Result run(String... cmd) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    byte[] out = p.getInputStream().readAllBytes();
    if (!p.waitFor(120, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new IOException("timeout: " + String.join(" ", cmd));
    }
    return new Result(p.exitValue(), new String(out, StandardCharsets.UTF_8));
  }

  /** Runs a command and asserts exit 0. */
  public static String ok(String... cmd) throws IOException, InterruptedException {
    Result r = run(cmd);
    assertThat(r.exit()).as(String.join(" ", cmd) + "\n" + r.out()).isZero();
    return r.out();
  }

  public static List<String> args(String... a) {
    return new ArrayList<>(List.of(a));
  }

  /** Asserts that two images hold the same guest data (qemu-img compare). */
  public static void assertSame(Path a, String fmtA, Path b, String fmtB)
      throws IOException, InterruptedException {
    ok("qemu-img", "compare", "-f", fmtA, "-F", fmtB, a.toString(), b.toString());
  }

  /**
   * Writes a raw file of {@code size} bytes: 64 KiB chunks that are random, zero (a hole) or a
   * short random run, from {@code seed}. Holes are left sparse.
   */
  public static Path rawImage(Path file, long size, long seed) throws IOException {
    Random rnd = new Random(seed);
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE,
        StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
      ch.truncate(0);
      byte[] chunk = new byte[65536];
      for (long off = 0; off < size; off += chunk.length) {
        int n = (int) Math.min(chunk.length, size - off);
        int kind = rnd.nextInt(4);
        if (kind == 0) {
          continue;
        }
        if (kind == 1) {
          rnd.nextBytes(chunk);
        } else {
          java.util.Arrays.fill(chunk, (byte) 0);
          int at = rnd.nextInt(n);
          int len = Math.min(n - at, 1 + rnd.nextInt(3000));
          for (int i = 0; i < len; i++) {
            chunk[at + i] = (byte) (kind == 2 ? rnd.nextInt() : 'A' + (i % 26));
          }
        }
        ch.write(ByteBuffer.wrap(chunk, 0, n), off);
      }
      ch.truncate(size);
      if (ch.size() < size) {
        ch.write(ByteBuffer.allocate(1), size - 1);
      }
    }
    return file;
  }
}
