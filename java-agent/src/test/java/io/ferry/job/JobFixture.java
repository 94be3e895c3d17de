package io.ferry.job;

import org.awaitility.Awaitility;

import io.ferry.endpoint.DefaultEndpointResolver;
import io.ferry.endpoint.RawFileCodec;
import io.ferry.proto.v1.CopyOptions;
import io.ferry.proto.v1.Endpoint;
import io.ferry.proto.v1.FileImage;
import io.ferry.proto.v1.Job;
import io.ferry.proto.v1.JobState;
import io.ferry.proto.v1.StartCopyRequest;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Predicate;

/** A file root, a journal and a job manager over them, with the real copy engine. */
final class JobFixture implements AutoCloseable {

  static final long REGION = 256 * 1024;

  final Path root;
  final Path journal;
  DefaultEndpointResolver resolver;
  JobManager manager;

  JobFixture(Path tmp) throws IOException {
    root = Files.createDirectories(tmp.resolve("pool"));
    journal = tmp.resolve("journal");
  }

  static JobManagerConfig config(Path journal) {
    return JobManagerConfig.defaults(journal).withDefaultChunkSize(64 * 1024)
        .withCheckpointInterval(Duration.ZERO);
  }

  /** Starts a manager (as a fresh agent process would: new resolver, new registry). */
  JobManager start(JobManagerConfig config, JobHooks hooks) throws IOException {
    return start(config, hooks, StandardParts.create());
  }

  JobManager start(JobManagerConfig config, JobHooks hooks, EngineParts parts)
      throws IOException {
    resolver = new DefaultEndpointResolver(Map.of("default", root), RawFileCodec.registry());
    manager = new JobManager(config, resolver, parts, hooks, Clock.systemUTC());
    return manager;
  }

  JobManager start() throws IOException {
    return start(config(journal), JobHooks.NONE);
  }

  /** A sparse file: data in every other {@link #REGION}, holes between. */
  Path makeSource(String name, long size, long seed) throws IOException {
    Path p = root.resolve(name);
    Random random = new Random(seed);
    try (FileChannel ch = FileChannel.open(p, StandardOpenOption.CREATE_NEW,
        StandardOpenOption.WRITE)) {
      ch.truncate(size);
      ch.write(ByteBuffer.allocate(1), size - 1);
      for (long off = 0; off < size; off += 2 * REGION) {
        byte[] data = new byte[(int) Math.min(REGION, size - off)];
        random.nextBytes(data);
        ch.write(ByteBuffer.wrap(data), off);
      }
    }
    return p;
  }

  static Endpoint file(String path) {
    return Endpoint.newBuilder().setFile(FileImage.newBuilder().setPath(path)).build();
  }

  static StartCopyRequest copy(String requestId, String src, String dst, long bandwidth) {
    return StartCopyRequest.newBuilder().setRequestId(requestId).setSource(file(src))
        .setDestination(file(dst))
        .setOptions(CopyOptions.newBuilder().setCreateDestination(true)
            .setBandwidthBytesPerSec(bandwidth).setParallelism(2))
        .build();
  }

  Job await(String id, Predicate<Job> condition, Duration timeout) {
    AtomicReference<Job> last = new AtomicReference<>();
    // A simulated crash dies on an engine thread; it is the test's doing, not a failure.
    Awaitility.await().dontCatchUncaughtExceptions().atMost(timeout)
        .pollInterval(Duration.ofMillis(20)).until(() -> {
      last.set(manager.get(id));
      return condition.test(last.get());
    });
    return last.get();
  }

  Job awaitState(String id, JobState state) {
    return await(id, j -> j.getState() == state, Duration.ofSeconds(60));
  }

  static String sha256(Path p) throws Exception {
    MessageDigest md = MessageDigest.getInstance("SHA-256");
    md.update(Files.readAllBytes(p));
    return HexFormat.of().formatHex(md.digest());
  }

  @Override
  public void close() {
    if (manager != null) {
      manager.close();
    }
  }
}
