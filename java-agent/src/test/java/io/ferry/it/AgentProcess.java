package io.ferry.it;

import io.ferry.proto.v1.FerryAgentGrpc;
import io.ferry.proto.v1.GetCapabilitiesRequest;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.StatusRuntimeException;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The agent as a separate process, started from the shaded jar the build made, on a loopback
 * port of its own: what a crash test needs to kill it for real.
 */
public final class AgentProcess implements AutoCloseable {

  private final Path config;
  private final Path log;
  private final int port;
  private Process process;
  private ManagedChannel channel;

  public AgentProcess(Path config, Path log, int port) {
    this.config = config;
    this.log = log;
    this.port = port;
  }

  public static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  static Path jar() {
    String jar = System.getProperty("ferry.jar", "target/ferry-agent.jar");
    Path p = Path.of(jar);
    if (!Files.isRegularFile(p)) {
      throw new IllegalStateException(p + " is missing: run the tests with `mvn verify`");
    }
    return p;
  }

  public AgentProcess start() throws IOException, InterruptedException {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    process = new ProcessBuilder(List.of(java, "-Xmx256m", "-jar", jar().toString(), "agent",
        "--config", config.toString()))
        .redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
        .start();
    channel = ManagedChannelBuilder.forAddress("127.0.0.1", port).usePlaintext().build();
    // Generous: CI machines run these tests at a load of 20 and more.
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(180);
    while (true) {
      try {
        api().withDeadlineAfter(2, TimeUnit.SECONDS)
            .getCapabilities(GetCapabilitiesRequest.getDefaultInstance());
        return this;
      } catch (StatusRuntimeException e) {
        if (!process.isAlive() || System.nanoTime() > deadline) {
          String state = process.isAlive() ? "still running, not answering" : "exited";
          process.destroyForcibly(); // a late start must not outlive the test
          throw new IllegalStateException("agent did not come up (" + state + "); the end of "
              + log + ":\n" + tail(log, 40), e);
        }
        Thread.sleep(200);
      }
    }
  }

  public FerryAgentGrpc.FerryAgentBlockingStub api() {
    return FerryAgentGrpc.newBlockingStub(channel);
  }

  public long pid() {
    return process.pid();
  }

  /** kill -9: no shutdown hook, no checkpoint, no flush. */
  public void kill9() throws InterruptedException {
    process.destroyForcibly();
    process.waitFor(30, TimeUnit.SECONDS);
    closeChannel();
  }

  private void closeChannel() throws InterruptedException {
    if (channel != null) {
      channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
      channel = null;
    }
  }

  @Override
  public void close() throws InterruptedException {
    closeChannel();
    if (process != null && process.isAlive()) {
      process.destroy();
      if (!process.waitFor(20, TimeUnit.SECONDS)) {
        process.destroyForcibly();
      }
    }
  }

  /** The last {@code lines} lines of {@code file}, for failure messages (the file may be gone). */
  static String tail(Path file, int lines) {
    try {
      List<String> all = Files.readAllLines(file);
      return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
    } catch (IOException e) {
      return "(cannot read it: " + e.getMessage() + ")";
    }
  }
}
