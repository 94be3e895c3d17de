package io.ferry;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The packaged jar as a daemon: it serves, and SIGTERM stops it cleanly with exit 0. */
class AgentProcessIT {

  @TempDir Path dir;

  @Test
  void sigtermStopsTheAgentWithExitZero() throws Exception {
    Path jar = Path.of(System.getProperty("ferry.jar", "target/ferry-agent.jar"));
    Files.createDirectories(dir.resolve("pool"));
    int port;
    try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
      port = s.getLocalPort();
    }
    Path config = dir.resolve("agent.yaml");
    Files.writeString(config, "listen: 127.0.0.1:" + port + "\ninsecure_plaintext: true\n"
        + "roots: {default: pool}\njournal_dir: journal\n");
    Process p = new ProcessBuilder("java", "-jar", jar.toString(), "agent", "--config",
        config.toString()).redirectErrorStream(true)
        .redirectOutput(dir.resolve("agent.log").toFile()).start();
    try {
      waitForPort(port, Duration.ofSeconds(60));
      p.destroy(); // SIGTERM
      assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
      assertThat(p.exitValue()).as(Files.readString(dir.resolve("agent.log"))).isZero();
      assertThat(Files.readString(dir.resolve("agent.log"))).contains("SIGTERM received")
          .contains("stopped");
    } finally {
      p.destroyForcibly();
    }
  }

  private static void waitForPort(int port, Duration max) throws Exception {
    Instant end = Instant.now().plus(max);
    while (Instant.now().isBefore(end)) {
      try (Socket s = new Socket("127.0.0.1", port)) {
        return;
      } catch (IOException e) {
        Thread.sleep(200);
      }
    }
    throw new AssertionError("the agent did not listen on " + port + " within " + max);
  }
}
