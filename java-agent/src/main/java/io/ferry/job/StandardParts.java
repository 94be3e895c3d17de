package io.ferry.job;

import io.ferry.copy.CopyEngine;
import io.ferry.copy.TapChangeFeed;
import io.ferry.copy.TokenBucket;
import io.ferry.device.WriteTap;
import io.ferry.endpoint.SharedDevice;

/** The production {@link EngineParts}: the copy engine, write-tap feeds and token buckets. */
public final class StandardParts {

  private StandardParts() {}

  public static EngineParts create() {
    return new EngineParts(StandardParts::engine, StandardParts::tapFeed, StandardParts::bucket);
  }

  /**
   * Like {@link #create()}, with RBD sources followed by snapshot diffs ({@code
   * RbdSnapshotChangeFeed}): other clients write RBD images without passing the agent's tap.
   */
  public static EngineParts create(io.ferry.endpoint.RbdBackend rbd) {
    EngineParts.Feeds feeds = new EngineParts.Feeds() {
      @Override
      public io.ferry.copy.ChangeFeed create(io.ferry.proto.v1.Endpoint endpoint,
          io.ferry.device.BlockDevice source) {
        return create(endpoint, source, null);
      }

      @Override
      public io.ferry.copy.ChangeFeed create(io.ferry.proto.v1.Endpoint endpoint,
          io.ferry.device.BlockDevice source, String jobId) {
        return endpoint.hasRbd() ? rbd.changeFeed(endpoint, source, jobId) : tapFeed(endpoint, source);
      }

      @Override
      public io.ferry.copy.ChangeFeed create(io.ferry.proto.v1.Endpoint endpoint,
          io.ferry.device.BlockDevice source, String jobId, String fromSnapshot) {
        return endpoint.hasRbd()
            ? rbd.changeFeed(endpoint, source, jobId, fromSnapshot)
            : tapFeed(endpoint, source);
      }

      @Override
      public void cleanup(io.ferry.proto.v1.Endpoint endpoint, String jobId) {
        if (endpoint.hasRbd() && jobId != null && !jobId.isEmpty()) {
          rbd.removeFeedSnapshots(endpoint, jobId);
        }
      }
    };
    return new EngineParts(StandardParts::engine, feeds, StandardParts::bucket);
  }

  private static io.ferry.copy.ChangeFeed tapFeed(io.ferry.proto.v1.Endpoint endpoint,
      io.ferry.device.BlockDevice source) {
    return new TapChangeFeed(source instanceof SharedDevice s ? s.tap() : new WriteTap(source));
  }

  private static EngineParts.Run engine(io.ferry.copy.CopyPlan plan,
      io.ferry.copy.CopyListener listener) {
    CopyEngine engine = new CopyEngine(plan, listener);
    return new EngineParts.Run() {
      @Override
      public io.ferry.copy.CopyResult run(io.ferry.copy.CopyCheckpoint resumeFrom)
          throws Exception {
        return engine.run(resumeFrom);
      }

      @Override
      public void cancel() {
        engine.cancel();
      }
    };
  }

  private static EngineParts.RateLimiter bucket(long bytesPerSec) {
    TokenBucket bucket = new TokenBucket(bytesPerSec);
    return new EngineParts.RateLimiter() {
      @Override
      public void acquire(long bytes) throws InterruptedException {
        bucket.acquire(bytes);
      }

      @Override
      public void setRate(long rate) {
        bucket.setRate(rate);
      }
    };
  }
}
