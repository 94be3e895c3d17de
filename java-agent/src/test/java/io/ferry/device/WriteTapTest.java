package io.ferry.device;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

class WriteTapTest {

  @Test
  void reportsEveryCompletedWriteAndZeroing() throws IOException {
    WriteTap tap = new WriteTap(new MemoryDevice("m", 1 << 20));
    List<Extent> seen = new CopyOnWriteArrayList<>();
    WriteListener l = (o, n) -> seen.add(new Extent(o, n));
    tap.addListener(l);
    tap.write(100, ByteBuffer.wrap(new byte[50]));
    tap.writeZeroes(4096, 8192, true);
    tap.read(0, ByteBuffer.allocate(10));
    tap.removeListener(l);
    tap.write(0, ByteBuffer.wrap(new byte[1]));
    assertThat(seen).containsExactly(new Extent(100, 50), new Extent(4096, 8192));
  }

  @Test
  void failedWritesAreNotReported() {
    WriteTap tap = new WriteTap(new MemoryDevice("m", 4096));
    List<Extent> seen = new CopyOnWriteArrayList<>();
    tap.addListener((o, n) -> seen.add(new Extent(o, n)));
    try {
      tap.write(4000, ByteBuffer.wrap(new byte[200])); // beyond the end
    } catch (IOException expected) {
      // refused by the device
    }
    assertThat(seen).isEmpty();
  }

  @Test
  void holdBlocksNewWritesUntilReleased() throws Exception {
    WriteTap tap = new WriteTap(new MemoryDevice("m", 1 << 20));
    CountDownLatch wrote = new CountDownLatch(1);
    WriteTap.Hold hold = tap.hold();
    assertThat(tap.isHeld()).isTrue();
    Thread writer = new Thread(() -> {
      try {
        tap.write(0, ByteBuffer.wrap(new byte[] {7}));
        wrote.countDown();
      } catch (IOException e) {
        throw new RuntimeException(e);
      }
    });
    writer.start();
    assertThat(wrote.await(300, TimeUnit.MILLISECONDS)).isFalse();
    ByteBuffer b = ByteBuffer.allocate(1);
    tap.read(0, b); // reads are never held
    assertThat(b.get(0)).isZero();
    hold.close();
    hold.close(); // idempotent
    assertThat(wrote.await(2, TimeUnit.SECONDS)).isTrue();
    assertThat(tap.isHeld()).isFalse();
  }

  @Test
  void holdWaitsForWritesInFlightAndTheirReports() throws Exception {
    CountDownLatch entered = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    BlockDevice slow = new ForwardingDevice(new MemoryDevice("m", 1 << 20)) {
      @Override
      public void write(long offset, ByteBuffer src) throws IOException {
        entered.countDown();
        try {
          release.await();
        } catch (InterruptedException e) {
          throw new IOException(e);
        }
        super.write(offset, src);
      }
    };
    WriteTap tap = new WriteTap(slow);
    AtomicBoolean reported = new AtomicBoolean();
    tap.addListener((o, n) -> reported.set(true));
    Thread writer = new Thread(() -> {
      try {
        tap.write(0, ByteBuffer.wrap(new byte[8]));
      } catch (IOException e) {
        throw new RuntimeException(e);
      }
    });
    writer.start();
    entered.await();
    CountDownLatch held = new CountDownLatch(1);
    Thread holder = new Thread(() -> {
      try (WriteTap.Hold h = tap.hold()) {
        assertThat(reported).isTrue();
        held.countDown();
      }
    });
    holder.start();
    assertThat(held.await(200, TimeUnit.MILLISECONDS)).isFalse();
    release.countDown();
    assertThat(held.await(2, TimeUnit.SECONDS)).isTrue();
    writer.join();
    holder.join();
  }
}
