package io.ferry.format;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ferry.error.FerryException;
import io.ferry.error.Reason;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Crafted monolithicSparse vmdk images are refused with a clear FerryException. */
class VmdkMalformedTest {

  @TempDir Path dir;
  Path img;

  @BeforeEach
  void valid() throws Exception {
    Path raw = Qemu.rawImage(dir.resolve("src.raw"), 2 << 20, 5);
    img = dir.resolve("img.vmdk");
    Qemu.ok("qemu-img", "convert", "-f", "raw", "-O", "vmdk", raw.toString(), img.toString());
  }

  private void patchLe(long offset, long v, int width) throws Exception {
    ByteBuffer b = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(v);
    try (FileChannel ch = FileChannel.open(img, StandardOpenOption.WRITE)) {
      ch.write(b.flip().limit(width), offset);
    }
  }

  private long header(int offset) throws Exception {
    try (FileChannel ch = FileChannel.open(img)) {
      ByteBuffer b = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
      ch.read(b, offset);
      return b.getLong(0);
    }
  }

  private void assertRefused(Reason reason, String text) {
    assertThatThrownBy(() -> Images.readToRaw(img, dir.resolve("out.raw")))
        .isInstanceOf(FerryException.class)
        .hasMessageContaining(text)
        .extracting(e -> ((FerryException) e).reason()).isEqualTo(reason);
  }

  @Test
  void grainDirectoryBeyondEof() throws Exception {
    patchLe(56, 1L << 30, 8);
    assertRefused(Reason.DATA_LOSS, "grain directory");
  }

  @Test
  void grainDirectoryOnTheHeader() throws Exception {
    patchLe(56, 0, 8);
    assertRefused(Reason.DATA_LOSS, "grain directory offset is 0");
  }

  @Test
  void grainTableOverlappingTheDescriptor() throws Exception {
    long gd = header(56) * 512;
    patchLe(gd, header(28), 4);
    assertRefused(Reason.DATA_LOSS, "overlaps");
  }

  @Test
  void absurdGrainSize() throws Exception {
    patchLe(20, 1L << 40, 8);
    assertRefused(Reason.DATA_LOSS, "grain size");
  }

  @Test
  void hugeCapacity() throws Exception {
    patchLe(12, Long.MAX_VALUE, 8);
    assertRefused(Reason.DATA_LOSS, "capacity");
  }
}
