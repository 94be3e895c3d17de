package io.ferry.job;

import io.ferry.copy.ChangeFeed;
import io.ferry.copy.CopyCheckpoint;
import io.ferry.copy.CopyListener;
import io.ferry.copy.CopyPlan;
import io.ferry.copy.CopyResult;
import io.ferry.copy.Throttle;
import io.ferry.device.BlockDevice;
import io.ferry.proto.v1.Endpoint;
import java.io.IOException;

/**
 * The pieces of the copy layer the job layer builds copies from, behind small interfaces so that
 * tests can substitute a faulty or instrumented engine. {@link StandardParts#create()} wires the
 * real ones (io.ferry.copy.CopyEngine, TapChangeFeed, TokenBucket).
 *
 * @param engines builds one copy run from a plan
 * @param feeds builds the change feed over a source device (a shared device with a write tap)
 * @param rateLimiters builds a bandwidth cap whose rate can change while data flows
 */
public record EngineParts(Engines engines, Feeds feeds, RateLimiters rateLimiters) {

  /** Builds copy runs: {@code new CopyEngine(plan, listener)} in production. */
  @FunctionalInterface
  public interface Engines {
    Run create(CopyPlan plan, CopyListener listener) throws IOException;
  }

  /** One copy run. */
  public interface Run {
    /** Runs to the end (resuming from {@code resumeFrom}); throws if it failed or was cancelled. */
    CopyResult run(CopyCheckpoint resumeFrom) throws Exception;

    /** Asks a running {@link #run} to stop soon. Idempotent; callable from any thread. */
    void cancel();
  }

  /**
   * Builds the change feed over a source: a {@code TapChangeFeed} on the shared device's write tap
   * for sources the agent serves; other backends (RBD snapshot diffs) plug their own here.
   */
  @FunctionalInterface
  public interface Feeds {
    ChangeFeed create(Endpoint endpoint, BlockDevice source) throws IOException;

    /** Like {@link #create(Endpoint, BlockDevice)}; feeds that name things (snapshots) use the job id. */
    default ChangeFeed create(Endpoint endpoint, BlockDevice source, String jobId) throws IOException {
      return create(endpoint, source);
    }

    /**
     * Like {@link #create(Endpoint, BlockDevice, String)}; with {@code fromSnapshot} (copy_snapshots
     * carried the source's snapshots up to it) an RBD feed's first pass is the diff from it.
     */
    default ChangeFeed create(Endpoint endpoint, BlockDevice source, String jobId,
        String fromSnapshot) throws IOException {
      return create(endpoint, source, jobId);
    }

    /**
     * Removes what feeds of job {@code jobId} may have left on the source after a crash (RBD
     * snapshots); called when the job is abandoned. Only the feed's own things, never others.
     */
    default void cleanup(Endpoint endpoint, String jobId) throws IOException {}
  }

  /** A bandwidth cap whose rate may change at any time. */
  public interface RateLimiter extends Throttle {
    /** Bytes per second; 0: unlimited. */
    void setRate(long bytesPerSec);
  }

  /** Builds rate limiters. */
  @FunctionalInterface
  public interface RateLimiters {
    RateLimiter create(long bytesPerSec);
  }
}
