package io.ferry.copy;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Calls a task about twice a second on its own daemon thread until closed. Closing wakes the
 * thread and waits for a running call to finish; it never interrupts it (an interrupt would close
 * a FileChannel the task may be flushing).
 */
final class Ticker implements AutoCloseable {

  static final long PERIOD_NANOS = TimeUnit.MILLISECONDS.toNanos(500);
  private static final Logger LOG = LoggerFactory.getLogger(Ticker.class);
  private static final long CLOSE_WAIT_MS = TimeUnit.MINUTES.toMillis(2);

  private final ReentrantLock lock = new ReentrantLock();
  private final Condition stop = lock.newCondition();
  private final Thread thread;
  private boolean closed;

  Ticker(Runnable task) {
    thread = new Thread(() -> loop(task), "ferry-copy-progress");
    thread.setDaemon(true);
    thread.start();
  }

  private void loop(Runnable task) {
    while (true) {
      lock.lock();
      try {
        long left = PERIOD_NANOS;
        while (!closed && left > 0) {
          left = stop.awaitNanos(left);
        }
        if (closed) {
          return;
        }
      } catch (InterruptedException e) {
        return;
      } finally {
        lock.unlock();
      }
      task.run();
    }
  }

  @Override
  public void close() {
    lock.lock();
    try {
      closed = true;
      stop.signalAll();
    } finally {
      lock.unlock();
    }
    boolean interrupted = false;
    long deadline = System.currentTimeMillis() + CLOSE_WAIT_MS;
    while (thread.isAlive() && System.currentTimeMillis() < deadline) {
      try {
        thread.join(Math.max(1, deadline - System.currentTimeMillis()));
      } catch (InterruptedException e) {
        interrupted = true;
      }
    }
    if (thread.isAlive()) {
      LOG.warn("progress thread still busy after {} ms; leaving it", CLOSE_WAIT_MS);
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
  }
}
