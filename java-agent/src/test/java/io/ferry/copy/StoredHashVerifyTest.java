package io.ferry.copy;

import static io.ferry.copy.Fixtures.KIB;
import static io.ferry.copy.Fixtures.MIB;
import static org.assertj.core.api.Assertions.assertThat;

import io.ferry.device.BlockDevice;
import io.ferry.device.ForwardingDevice;
import io.ferry.device.MemoryDevice;
import io.ferry.device.WriteTap;
import io.ferry.device.Xxh64;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.OptionalLong;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * Verification against hashes the destination's store computes itself (as a Ceph OSD does with
 * {@code rados_checksum}): no read-back where the store answers, and a corrupt byte is still found.
 */
class StoredHashVerifyTest {

  private final MemoryDevice source = Fixtures.memory("src", 8 * MIB);
  private final MemoryDevice memory = Fixtures.memory("dst", 8 * MIB);
  private final AtomicLong destRead = new AtomicLong();
  private final AtomicLong storedCalls = new AtomicLong();

  /** A store that hashes its own bytes below {@code answersBelow} and declines elsewhere. */
  private BlockDevice hashingStore(long answersBelow) {
    return new ForwardingDevice(memory) {
      @Override
      public void read(long offset, ByteBuffer dst) throws IOException {
        destRead.addAndGet(dst.remaining());
        super.read(offset, dst);
      }

      @Override
      public boolean canStoredXxHash64() {
        return true;
      }

      @Override
      public OptionalLong storedXxHash64(long offset, long length) throws IOException {
        if (offset + length > answersBelow) {
          return OptionalLong.empty();
        }
        storedCalls.incrementAndGet();
        ByteBuffer b = ByteBuffer.allocate((int) length);
        memory.read(offset, b); // the store's own bytes, not a read over the wire
        Xxh64 h = new Xxh64();
        h.update(b.flip());
        return OptionalLong.of(h.value());
      }
    };
  }

  StoredHashVerifyTest() throws Exception {
    Fixtures.fill(source, 0, 6 * MIB, 3);
  }

  private CopyResult copy(BlockDevice dest, RecordingListener listener) throws Exception {
    try (TapChangeFeed feed = new TapChangeFeed(new WriteTap(source))) {
      CopyPlan plan = new CopyPlan(feed, dest, Throttle.NONE, 256 * KIB, 4, true, true, 0, 2);
      return new CopyEngine(plan, listener).run(null);
    }
  }

  private static RecordingListener corruptingAtVerify(MemoryDevice dst, long... offsets) {
    RecordingListener listener = new RecordingListener();
    listener.onPhase = p -> {
      if (p == CopyPhase.VERIFY) {
        try {
          for (long off : offsets) {
            ByteBuffer b = ByteBuffer.allocate(1);
            dst.read(off, b);
            dst.write(off, ByteBuffer.wrap(new byte[] {(byte) (b.get(0) ^ 0x40)}));
          }
        } catch (IOException e) {
          throw new RuntimeException(e);
        }
      }
    };
    return listener;
  }

  @Test
  void verifiesWithoutReadingTheDestinationBack() throws Exception {
    CopyResult r = copy(hashingStore(Long.MAX_VALUE), new RecordingListener());
    assertThat(r.verified()).isTrue();
    assertThat(r.bytesRepaired()).isZero();
    assertThat(destRead.get()).isZero();
    assertThat(storedCalls.get()).isEqualTo(6 * MIB / (256 * KIB));
    Fixtures.assertSameContent(source, memory);
  }

  @Test
  void aCorruptDestinationByteIsFoundByTheStoresHashAndRepaired() throws Exception {
    RecordingListener listener = corruptingAtVerify(memory, MIB + 77);
    CopyResult r = copy(hashingStore(Long.MAX_VALUE), listener);
    assertThat(r.verified()).isTrue();
    assertThat(r.bytesRepaired()).isEqualTo(256 * KIB);
    assertThat(listener.events).anyMatch(e -> e.contains("1 chunk(s) differ"));
    Fixtures.assertSameContent(source, memory);
  }

  @Test
  void whereTheStoreDeclinesTheDestinationIsReadBackAndStillChecked() throws Exception {
    RecordingListener listener = corruptingAtVerify(memory, MIB + 5, 5 * MIB + 9);
    CopyResult r = copy(hashingStore(4 * MIB), listener);
    assertThat(r.verified()).isTrue();
    assertThat(r.bytesRepaired()).isEqualTo(2 * 256 * KIB);
    assertThat(destRead.get()).isGreaterThanOrEqualTo(2 * MIB); // the chunks past 4 MiB, read back
    Fixtures.assertSameContent(source, memory);
  }
}
