package io.ferry.device;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.ByteBuffer;
import java.util.function.LongConsumer;

/**
 * A decorator that makes every read and write wait for a rate limiter first (e.g. a guest with a
 * slow disk in the demo, or a device shared with other work). The limiter is a plain callback so
 * that this package does not depend on the copy engine; pass {@code bucket::acquireUninterruptibly}
 * or similar.
 */
public final class ThrottledDevice extends ForwardingDevice {

  /** Blocks until {@code bytes} may pass. */
  @FunctionalInterface
  public interface Limiter {
    void acquire(long bytes) throws InterruptedException;
  }

  private final Limiter limiter;

  public ThrottledDevice(BlockDevice delegate, Limiter limiter) {
    super(delegate);
    this.limiter = limiter;
  }

  /** A limiter from a callback that cannot be interrupted. */
  public static Limiter of(LongConsumer acquire) {
    return acquire::accept;
  }

  @Override
  public void read(long offset, ByteBuffer dst) throws IOException {
    pass(dst.remaining());
    delegate.read(offset, dst);
  }

  @Override
  public void write(long offset, ByteBuffer src) throws IOException {
    pass(src.remaining());
    delegate.write(offset, src);
  }

  private void pass(long bytes) throws IOException {
    try {
      limiter.acquire(bytes);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("interrupted while waiting for bandwidth on " + describe());
    }
  }
}
