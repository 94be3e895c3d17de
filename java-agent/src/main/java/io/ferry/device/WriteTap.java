package io.ferry.device;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A decorator that reports every completed write and zeroing to its {@link WriteListener}s and can
 * hold writers still.
 *
 * <p>This is how the copy engine learns which regions a writer changed during a copy when the
 * agent itself serves the device. A listener hears of a write after the data reached the device
 * and before the write returns to its caller, so once {@link #hold()} returns every write that
 * ever completed has been reported.
 *
 * <p>{@link #hold()} freezes the device for the final pass: new writes block until the hold is
 * closed, writes in flight are waited for. Reads are never blocked.
 */
public final class WriteTap extends ForwardingDevice {

  private final List<WriteListener> listeners = new CopyOnWriteArrayList<>();
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition changed = lock.newCondition();
  private int inFlight;
  private int holds;

  public WriteTap(BlockDevice delegate) {
    super(delegate);
  }

  public void addListener(WriteListener listener) {
    listeners.add(listener);
  }

  public void removeListener(WriteListener listener) {
    listeners.remove(listener);
  }

  /** A freeze of the device's writers; {@link #close()} releases it. */
  public interface Hold extends AutoCloseable {
    @Override
    void close();
  }

  /**
   * Blocks new writes and waits until the writes in flight have completed (and been reported).
   * Holds nest: writers resume when every hold is closed.
   */
  public Hold hold() {
    lock.lock();
    try {
      holds++;
      while (inFlight > 0) {
        changed.awaitUninterruptibly();
      }
    } finally {
      lock.unlock();
    }
    return new Hold() {
      private boolean closed;

      @Override
      public void close() {
        lock.lock();
        try {
          if (!closed) {
            closed = true;
            holds--;
            changed.signalAll();
          }
        } finally {
          lock.unlock();
        }
      }
    };
  }

  /** True while at least one {@link Hold} is open. */
  public boolean isHeld() {
    lock.lock();
    try {
      return holds > 0;
    } finally {
      lock.unlock();
    }
  }

  @Override
  public void write(long offset, ByteBuffer src) throws IOException {
    long length = src.remaining();
    enter();
    try {
      delegate.write(offset, src);
      report(offset, length);
    } finally {
      exit();
    }
  }

  @Override
  public void writeZeroes(long offset, long length, boolean deallocate) throws IOException {
    enter();
    try {
      delegate.writeZeroes(offset, length, deallocate);
      report(offset, length);
    } finally {
      exit();
    }
  }

  private void report(long offset, long length) {
    if (length == 0) {
      return;
    }
    for (WriteListener listener : listeners) {
      listener.written(offset, length);
    }
  }

  private void enter() throws IOException {
    lock.lock();
    try {
      while (holds > 0) {
        try {
          changed.await();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new java.io.InterruptedIOException("interrupted while " + describe() + " was held");
        }
      }
      inFlight++;
    } finally {
      lock.unlock();
    }
  }

  private void exit() {
    lock.lock();
    try {
      if (--inFlight == 0) {
        changed.signalAll();
      }
    } finally {
      lock.unlock();
    }
  }
}
