package io.ferry.copy;

import java.util.ArrayDeque;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A token bucket: bytes pass at {@link #rate()} bytes per second on average, with bursts of at
 * most {@link #BURST_NANOS} worth of rate. The rate can change at any time, also while callers
 * wait (they re-plan at once); 0 means unlimited.
 *
 * <p>Fair: callers are served strictly in arrival order (a FIFO of waiters), so a thread asking
 * for a large amount is not starved by threads asking for small ones. A request larger than the
 * burst is let through once the bucket is full and leaves the bucket in debt, which later callers
 * pay back: the long-run rate stays exact whatever the request size. Interruptible.
 */
public final class TokenBucket implements Throttle {

  /** Burst size expressed in time at the current rate. */
  public static final long BURST_NANOS = TimeUnit.MILLISECONDS.toNanos(50);
  private static final long MIN_BURST = 64 * 1024;

  private final ReentrantLock lock = new ReentrantLock();
  private final Condition changed = lock.newCondition();
  private final ArrayDeque<Thread> waiters = new ArrayDeque<>();
  private final LongClock clock;
  private long rate;
  private double tokens;
  private long lastRefill;

  /** Time source, replaceable in tests. */
  @FunctionalInterface
  interface LongClock {
    long nanoTime();
  }

  public TokenBucket(long bytesPerSecond) {
    this(bytesPerSecond, System::nanoTime);
  }

  TokenBucket(long bytesPerSecond, LongClock clock) {
    this.clock = clock;
    this.lastRefill = clock.nanoTime();
    setRate(bytesPerSecond);
    this.tokens = capacity();
  }

  /** Current rate in bytes per second; 0 means unlimited. */
  public long rate() {
    lock.lock();
    try {
      return rate;
    } finally {
      lock.unlock();
    }
  }

  /** Changes the rate; waiting callers re-plan at once. 0 means unlimited. */
  public void setRate(long bytesPerSecond) {
    if (bytesPerSecond < 0) {
      throw new IllegalArgumentException("rate must be >= 0 bytes/s, got " + bytesPerSecond);
    }
    lock.lock();
    try {
      refill();
      rate = bytesPerSecond;
      tokens = Math.min(tokens, capacity());
      changed.signalAll();
    } finally {
      lock.unlock();
    }
  }

  @Override
  public void acquire(long bytes) throws InterruptedException {
    if (bytes <= 0) {
      return;
    }
    Thread me = Thread.currentThread();
    lock.lockInterruptibly();
    try {
      waiters.addLast(me);
      try {
        while (waiters.peekFirst() != me) {
          changed.await();
        }
        takeWhenAvailable(bytes);
      } finally {
        waiters.remove(me);
        changed.signalAll();
      }
    } finally {
      lock.unlock();
    }
  }

  /** Called by the head of the queue, with the lock held. */
  private void takeWhenAvailable(long bytes) throws InterruptedException {
    while (true) {
      if (rate == 0) {
        return;
      }
      refill();
      double need = Math.min(bytes, capacity());
      if (tokens >= need) {
        tokens -= bytes;
        return;
      }
      long waitNanos = (long) Math.ceil((need - tokens) * 1e9 / rate);
      changed.awaitNanos(Math.max(waitNanos, 1000));
    }
  }

  private void refill() {
    long now = clock.nanoTime();
    long elapsed = now - lastRefill;
    lastRefill = now;
    if (rate > 0 && elapsed > 0) {
      tokens = Math.min(capacity(), tokens + elapsed * (double) rate / 1e9);
    }
  }

  private double capacity() {
    return Math.max(MIN_BURST, rate * (double) BURST_NANOS / 1e9);
  }
}
