package io.ferry.copy;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;

/**
 * A bounded set of worker threads, each owning one direct buffer for the whole run, that work
 * through a list of tasks in order (each worker takes the next one): {@code parallelism} requests
 * in flight, no allocation per chunk.
 *
 * <p>Workers are never interrupted (an interrupt closes a {@code FileChannel} for every thread);
 * they stop between tasks, or inside a task at a {@link Stopped} checkpoint, when {@code stop}
 * says so or another worker failed. The caller's thread only waits.
 */
final class Workers {

  /** Thrown inside a task to abandon it because the run is stopping; not a failure. */
  static final class Stopped extends RuntimeException {
    Stopped() {
      super("copy stopping", null, false, false);
    }
  }

  /** One task's work, done with the worker's own buffer. */
  @FunctionalInterface
  interface Body<T> {
    void run(T task, ByteBuffer buffer) throws IOException, InterruptedException;
  }

  private static final AtomicInteger THREADS = new AtomicInteger();
  private final ByteBuffer[] buffers;
  private final BooleanSupplier stop;

  Workers(int parallelism, BooleanSupplier stop) {
    this.buffers = new ByteBuffer[parallelism];
    this.stop = stop;
  }

  /** Allocates each worker's buffer, once, when the request size is known. */
  void allocate(int bufferSize) {
    for (int i = 0; i < buffers.length; i++) {
      if (buffers[i] == null) {
        buffers[i] = ByteBuffer.allocateDirect(bufferSize);
      }
    }
  }

  /**
   * Frees the buffers now, once every worker has returned: a direct buffer is otherwise freed only
   * when a GC finds it, and a small, quiet heap may not collect for many jobs, each leaving its
   * buffers (parallelism x request size) resident.
   */
  void release() {
    for (int i = 0; i < buffers.length; i++) {
      if (buffers[i] != null) {
        DirectBuffers.free(buffers[i]);
        buffers[i] = null;
      }
    }
  }

  /**
   * Runs {@code body} for every task; returns when all are done, the run is stopping, or one
   * failed (then the first failure is rethrown once every worker has returned).
   */
  <T> void run(List<T> tasks, Body<T> body) throws IOException, InterruptedException {
    int n = Math.min(buffers.length, tasks.size());
    if (n == 0) {
      return;
    }
    AtomicInteger next = new AtomicInteger();
    AtomicReference<Throwable> failure = new AtomicReference<>();
    Thread[] threads = new Thread[n];
    for (int w = 0; w < n; w++) {
      ByteBuffer buffer = buffers[w];
      Runnable loop = () -> work(tasks, body, buffer, next, failure);
      threads[w] = new Thread(loop, "ferry-copy-" + THREADS.incrementAndGet());
      threads[w].setDaemon(true);
      threads[w].start();
    }
    joinAll(threads, failure);
    rethrow(failure.get());
  }

  private <T> void work(
      List<T> tasks, Body<T> body, ByteBuffer buffer, AtomicInteger next, AtomicReference<Throwable> failure) {
    try {
      while (failure.get() == null && !stop.getAsBoolean()) {
        int i = next.getAndIncrement();
        if (i >= tasks.size()) {
          return;
        }
        buffer.clear();
        body.run(tasks.get(i), buffer);
      }
    } catch (Stopped e) {
      // the run is stopping; the coordinator finds out why
    } catch (Throwable e) {
      failure.compareAndSet(null, e);
    }
  }

  /** Waits for every worker; an interrupt of the caller stops them and is rethrown after. */
  private static void joinAll(Thread[] threads, AtomicReference<Throwable> failure)
      throws InterruptedException {
    boolean interrupted = false;
    for (Thread t : threads) {
      while (true) {
        try {
          t.join();
          break;
        } catch (InterruptedException e) {
          interrupted = true;
          failure.compareAndSet(null, e);
        }
      }
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
  }

  private static void rethrow(Throwable t) throws IOException, InterruptedException {
    if (t == null) {
      return;
    }
    if (t instanceof InterruptedException e) {
      throw e;
    }
    if (t instanceof IOException e) {
      throw e;
    }
    if (t instanceof RuntimeException e) {
      throw e;
    }
    if (t instanceof Error e) {
      throw e;
    }
    throw new IOException("copy worker failed: " + t, t);
  }
}
