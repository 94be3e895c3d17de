package io.ferry.nbd;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs the real NBD clients (qemu-utils, libnbd-bin) with a timeout. */
final class Tools {

  private Tools() {}

  record Result(int exit, String out) {}

  static void require(String tool) {
    assumeTrue(Files.isExecutable(Path.of("/usr/bin", tool)),
        tool + " is not installed (apt-get install qemu-utils libnbd-bin); skipping");
  }

  static Result run(String... cmd) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(List.of(cmd)).redirectErrorStream(true).start();
    p.getOutputStream().close();
    if (!p.waitFor(60, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new AssertionError("timed out: " + String.join(" ", cmd));
    }
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    return new Result(p.exitValue(), out);
  }

  /** Runs and fails the test with the tool's output on a non-zero exit. */
  static String ok(String... cmd) throws IOException, InterruptedException {
    Result r = run(cmd);
    if (r.exit() != 0) {
      throw new AssertionError(String.join(" ", cmd) + " exited " + r.exit() + ":\n" + r.out());
    }
    return r.out();
  }
}
