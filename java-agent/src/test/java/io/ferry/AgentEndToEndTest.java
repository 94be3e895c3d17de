package io.ferry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.ferry.cli.FerryCli;
import io.ferry.config.ConfigLoader;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.RandomAccessFile;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The whole agent on loopback: the real config loader, JobManager, copy engine and file
 * endpoints, driven by the CLI in-process as an operator would.
 */
class AgentEndToEndTest {

  static final long MIB = 1 << 20;
  @TempDir Path dir;
  Agent agent;
  Path poolA;
  Path poolB;

  record Run(int code, String out, String err) {}

  @BeforeEach
  void start() throws Exception {
    poolA = Files.createDirectories(dir.resolve("pool-a"));
    poolB = Files.createDirectories(dir.resolve("pool-b"));
    Path file = dir.resolve("agent.yaml");
    Files.writeString(file, """
        listen: 127.0.0.1:0
        insecure_plaintext: true
        roots: {pool-a: pool-a, pool-b: pool-b}
        journal_dir: journal
        budgets: {max_concurrent_jobs: 2, total_bandwidth: 0}
        copy_defaults: {chunk_size: 64KiB, parallelism: 4}
        metrics: {listen: 127.0.0.1:0}
        """);
    agent = Agent.start(ConfigLoader.load(file));
  }

  @AfterEach
  void stop() {
    agent.close();
  }

  Run ferry(String... args) {
    List<String> all = new ArrayList<>(List.of(args));
    all.addAll(1, List.of("--agent", "127.0.0.1:" + agent.port(), "--plaintext"));
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = FerryCli.run(all.toArray(String[]::new), new PrintWriter(out),
        new PrintWriter(err), false, 0);
    return new Run(code, out.toString(), err.toString());
  }

  /** A sparse file: 1 MiB of data every 4 MiB, holes between, unaligned tail. */
  static byte[] sparseSource(Path file, long size) throws Exception {
    byte[] all = new byte[(int) size];
    Random rnd = new Random(42);
    try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
      f.setLength(size);
      for (long off = 0; off < size; off += 4 * MIB) {
        byte[] data = new byte[(int) Math.min(MIB, size - off)];
        rnd.nextBytes(data);
        f.seek(off);
        f.write(data);
        System.arraycopy(data, 0, all, (int) off, data.length);
      }
    }
    return all;
  }

  static String jobId(Run r) {
    Matcher m = Pattern.compile("^job (\\S+) ").matcher(r.out());
    assertThat(m.find()).as(r.out() + r.err()).isTrue();
    return m.group(1);
  }

  @Test
  void copyWatchVerifyASparseFileToAnotherRoot() throws Exception {
    long size = 16 * MIB + 12345;
    byte[] source = sparseSource(poolA.resolve("vol-1.raw"), size);

    Run copy = ferry("copy", "file:pool-a:vol-1.raw", "file:pool-b:vol-1.raw", "--create",
        "--request-id", "e2e-1");
    assertThat(copy.code()).as(copy.err()).isZero();
    String id = jobId(copy);

    Run watch = ferry("watch", id);
    assertThat(watch.code()).as(watch.out() + watch.err()).isZero();
    assertThat(watch.out()).contains("job " + id + " completed: copied")
        .contains("holes kept");

    Path dest = poolB.resolve("vol-1.raw");
    assertThat(Files.size(dest)).isEqualTo(size);
    assertThat(Files.readAllBytes(dest)).isEqualTo(source);

    Run verify = ferry("verify", "file:pool-a:vol-1.raw", "file:pool-b:vol-1.raw");
    assertThat(verify.code()).as(verify.err()).isZero();
    assertThat(verify.out()).startsWith("equal: ");

    Run again = ferry("copy", "file:pool-a:vol-1.raw", "file:pool-b:vol-1.raw", "--create",
        "--request-id", "e2e-1");
    assertThat(jobId(again)).isEqualTo(id); // idempotent on the request id

    assertThat(ferry("jobs", "--state", "completed").out()).contains(id);
    assertThat(ferry("job", id).out()).contains("state:        completed").contains("events:");

    String metrics = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(
        "http://127.0.0.1:" + agent.metricsAddress().getPort() + "/metrics")).build(),
        HttpResponse.BodyHandlers.ofString()).body();
    assertThat(metrics).contains("ferry_jobs{state=\"completed\"} 1.0");
    Matcher copied = Pattern.compile("(?m)^ferry_copied_bytes_total (\\S+)").matcher(metrics);
    assertThat(copied.find()).isTrue();
    // 1 MiB of data every 4 MiB: 0, 4, 8, 12 MiB and the 12345-byte tail at 16 MiB
    assertThat(Double.parseDouble(copied.group(1))).isEqualTo(4.0 * MIB + 12345);
  }

  @Test
  void aDifferentFileFailsVerifyAndErrorsAreOneLine() throws Exception {
    sparseSource(poolA.resolve("a.raw"), 2 * MIB);
    byte[] other = sparseSource(poolB.resolve("b.raw"), 2 * MIB);
    other[(int) (MIB / 2)] ^= 1;
    Files.write(poolB.resolve("b.raw"), other);
    Run differ = ferry("verify", "file:pool-a:a.raw", "file:pool-b:b.raw");
    assertThat(differ.code()).isEqualTo(9);
    assertThat(differ.err()).startsWith("ferry: ").contains("differ");

    Run missing = ferry("copy", "file:pool-a:nope.raw", "file:pool-b:x.raw", "--create");
    assertThat(missing.code()).as(missing.err()).isEqualTo(4);
    assertThat(missing.err().strip()).startsWith("ferry: ").doesNotContain("\n");

    Run escape = ferry("copy", "file:pool-a:../etc/passwd", "file:pool-b:x.raw", "--create");
    assertThat(escape.code()).isEqualTo(3);
    assertThat(escape.err()).contains("source.file.path: may not contain '..'");
  }

  @Test
  void bandwidthAndCancelOfARunningCopy() throws Exception {
    byte[] data = new byte[(int) (32 * MIB)];
    new Random(7).nextBytes(data);
    Files.write(poolA.resolve("big.raw"), data);
    Run copy = ferry("copy", "file:pool-a:big.raw", "file:pool-b:big.raw", "--create",
        "--bandwidth", "2MiB/s");
    String id = jobId(copy);
    await().atMost(Duration.ofSeconds(20)).until(() -> ferry("job", id).out()
        .contains("state:        syncing"));
    Run bw = ferry("bandwidth", id, "1MiB/s");
    assertThat(bw.code()).as(bw.err()).isZero();
    Run cancel = ferry("cancel", id);
    assertThat(cancel.code()).as(cancel.err()).isZero();
    Run watch = ferry("watch", id);
    assertThat(watch.code()).isEqualTo(12);
    assertThat(watch.out()).contains("cancelled");
    assertThat(poolB.resolve("big.raw")).doesNotExist();
    assertThat(Files.readAllBytes(poolA.resolve("big.raw"))).isEqualTo(data);
  }
}
