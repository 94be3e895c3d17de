package io.ferry.format;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ferry.error.FerryException;
import io.ferry.error.Reason;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Crafted qcow2 images: each is refused with a clear FerryException before data is read. */
class Qcow2MalformedTest {

  @TempDir Path dir;
  Path img;

  @BeforeEach
  void valid() throws Exception {
    Path raw = Qemu.rawImage(dir.resolve("src.raw"), 2 << 20, 5);
    img = dir.resolve("img.qcow2");
    Qemu.ok("qemu-img", "convert", "-f", "raw", "-O", "qcow2", raw.toString(), img.toString());
  }

  private void patch(long offset, ByteBuffer value) throws Exception {
    try (FileChannel ch = FileChannel.open(img, StandardOpenOption.WRITE)) {
      ch.write(value.flip(), offset);
    }
  }

  private void patchLong(long offset, long v) throws Exception {
    patch(offset, ByteBuffer.allocate(8).putLong(v));
  }

  private void patchInt(long offset, int v) throws Exception {
    patch(offset, ByteBuffer.allocate(4).putInt(v));
  }

  private long headerLong(int offset) throws Exception {
    try (FileChannel ch = FileChannel.open(img)) {
      ByteBuffer b = ByteBuffer.allocate(8);
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
  void truncatedHeader() throws Exception {
    try (FileChannel ch = FileChannel.open(img, StandardOpenOption.WRITE)) {
      ch.truncate(60);
    }
    assertRefused(Reason.DATA_LOSS, "shorter than a qcow2 header");
  }

  @Test
  void truncatedTables() throws Exception {
    try (FileChannel ch = FileChannel.open(img, StandardOpenOption.WRITE)) {
      ch.truncate(3 * 65536 + 100);
    }
    assertRefused(Reason.DATA_LOSS, "beyond the end of the file");
  }

  @Test
  void l1BeyondEof() throws Exception {
    patchLong(40, 1L << 40);
    assertRefused(Reason.DATA_LOSS, "L1 table at");
  }

  @Test
  void overlappingTables() throws Exception {
    patchLong(40, headerLong(48));
    assertRefused(Reason.DATA_LOSS, "overlaps");
  }

  @Test
  void absurdClusterBits() throws Exception {
    patchInt(20, 40);
    assertRefused(Reason.DATA_LOSS, "cluster_bits 40");
  }

  @Test
  void hugeL1Table() throws Exception {
    patchInt(36, Integer.MAX_VALUE);
    assertRefused(Reason.DATA_LOSS, "MiB limit");
  }

  @Test
  void absurdVirtualSize() throws Exception {
    patchLong(24, Long.MAX_VALUE);
    assertRefused(Reason.DATA_LOSS, "virtual size");
  }

  @Test
  void encryption() throws Exception {
    patchInt(32, 1);
    assertRefused(Reason.INVALID_ARGUMENT, "encrypted");
  }

  @Test
  void refcountBlockPointingAtItsTable() throws Exception {
    long reftable = headerLong(48);
    patchLong(reftable, reftable);
    assertRefused(Reason.DATA_LOSS, "overlaps");
  }

  @Test
  void l2PointingAtRefcountTable() throws Exception {
    long l1 = headerLong(40);
    patchLong(l1, 0x8000000000000000L | headerLong(48));
    assertRefused(Reason.DATA_LOSS, "L2 table 0 at " + headerLong(48) + " overlaps");
  }

  @Test
  void unknownIncompatibleFeature() throws Exception {
    patchLong(72, 1L << 40);
    assertRefused(Reason.INVALID_ARGUMENT, "unknown incompatible features");
  }

  @Test
  void backingFile() throws Exception {
    Path top = dir.resolve("top.qcow2");
    Qemu.ok("qemu-img", "create", "-f", "qcow2", "-b", img.toString(), "-F", "qcow2",
        top.toString());
    img = top;
    assertRefused(Reason.INVALID_ARGUMENT, "has a backing file ('" + dir.resolve("img.qcow2"));
  }

  @Test
  void externalDataFile() throws Exception {
    Path top = dir.resolve("ext.qcow2");
    Qemu.ok("qemu-img", "create", "-f", "qcow2", "-o", "data_file=" + dir.resolve("data.raw"),
        top.toString(), "1M");
    img = top;
    assertRefused(Reason.INVALID_ARGUMENT, "external data file");
  }
}
