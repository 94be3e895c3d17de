package io.ferry.copy;

/** A bandwidth cap data passes through before it is written. */
public interface Throttle {

  Throttle NONE = bytes -> {};

  /** Blocks until {@code bytes} may pass. Interruptible. */
  void acquire(long bytes) throws InterruptedException;
}
