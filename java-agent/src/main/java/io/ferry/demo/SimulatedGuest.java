package io.ferry.demo;

import io.ferry.device.BlockDevice;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A guest that keeps writing to its disk while the disk is being moved: 64 KiB random writes at
 * random aligned offsets, paced to a target rate. It remembers each completed write (offset and
 * the seed of its content) so that the destination can be checked for every one of them.
 */
public final class SimulatedGuest implements AutoCloseable {

  /** One completed write: {@code length} bytes at {@code offset}, content from {@code seed}. */
  public record Write(long offset, int length, long seed) {}

  public static final int WRITE_SIZE = 64 << 10;

  private final BlockDevice disk;
  private final long bytesPerSec;
  private final SplittableRandom random;
  private final List<Write> writes = new ArrayList<>();
  private final AtomicBoolean stop = new AtomicBoolean();
  private final Thread thread;
  private volatile IOException failure;

  public SimulatedGuest(BlockDevice disk, long bytesPerSec, long seed) {
    this.disk = disk;
    this.bytesPerSec = bytesPerSec;
    this.random = new SplittableRandom(seed);
    this.thread = new Thread(this::run, "simulated-guest");
    this.thread.setDaemon(true);
  }

  public SimulatedGuest start() {
    thread.start();
    return this;
  }

  private void run() {
    ByteBuffer buf = ByteBuffer.allocateDirect(WRITE_SIZE);
    long started = System.nanoTime();
    long done = 0;
    try {
      long slots = disk.size() / WRITE_SIZE;
      while (!stop.get()) {
        Write w = new Write(random.nextLong(slots) * WRITE_SIZE, WRITE_SIZE, random.nextLong());
        fill(buf, w.seed());
        disk.write(w.offset(), buf);
        synchronized (writes) {
          writes.add(w);
        }
        done += WRITE_SIZE;
        pace(started, done);
      }
    } catch (IOException e) {
      failure = e;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private void pace(long started, long done) throws InterruptedException {
    long due = started + TimeUnit.SECONDS.toNanos(1) * done / bytesPerSec;
    long wait = due - System.nanoTime();
    if (wait > 0) {
      TimeUnit.NANOSECONDS.sleep(wait);
    }
  }

  /** The content of a write with {@code seed}, into {@code buf} (cleared and flipped). */
  static void fill(ByteBuffer buf, long seed) {
    SplittableRandom r = new SplittableRandom(seed);
    buf.clear();
    while (buf.hasRemaining()) {
      buf.putLong(r.nextLong());
    }
    buf.flip();
  }

  /** Stops writing and waits for the write in progress to complete. */
  public List<Write> stop() throws IOException, InterruptedException {
    stop.set(true);
    thread.join();
    if (failure != null) {
      throw failure;
    }
    synchronized (writes) {
      return List.copyOf(writes);
    }
  }

  /**
   * Writes whose content is not on {@code device}, judged by the last write to each offset (a
   * later write to the same offset supersedes an earlier one).
   */
  public static List<Write> missing(List<Write> writes, BlockDevice device) throws IOException {
    java.util.Map<Long, Write> last = new java.util.LinkedHashMap<>();
    for (Write w : writes) {
      last.put(w.offset(), w);
    }
    ByteBuffer expected = ByteBuffer.allocateDirect(WRITE_SIZE);
    ByteBuffer actual = ByteBuffer.allocateDirect(WRITE_SIZE);
    List<Write> missing = new ArrayList<>();
    for (Write w : last.values()) {
      fill(expected, w.seed());
      actual.clear();
      device.read(w.offset(), actual);
      actual.flip();
      if (!actual.equals(expected)) {
        missing.add(w);
      }
    }
    return missing;
  }

  @Override
  public void close() throws IOException, InterruptedException {
    stop();
  }
}
