package io.ferry.format;

import static org.assertj.core.api.Assertions.assertThat;

import io.ferry.device.BlockDevice;
import io.ferry.device.Extent;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;

/** Reads and writes whole images through Ferry's codecs for the corpus tests. */
public final class Images {

  private Images() {}

  /** Opens {@code image} with Ferry (probing) and copies its allocated extents to a raw file. */
  public static Path readToRaw(Path image, Path raw) throws IOException {
    try (BlockDevice dev = Formats.open(FileStore.open(image, true), null, true)) {
      copyExtents(dev, raw);
    }
    return raw;
  }

  /** Copies the extents {@code dev} reports to a sparse raw file; holes must read as zeros. */
  public static void copyExtents(BlockDevice dev, Path raw) throws IOException {
    long size = dev.size();
    try (FileChannel out = FileChannel.open(raw, StandardOpenOption.CREATE,
        StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
      List<Extent> extents = dev.extents(0, size);
      long prev = 0;
      for (Extent e : extents) {
        assertThat(e.offset()).isGreaterThanOrEqualTo(prev);
        assertZero(dev, prev, e.offset() - prev);
        ByteBuffer buf = ByteBuffer.allocate(1 << 20);
        for (long off = e.offset(); off < e.end(); off += buf.capacity()) {
          buf.clear().limit((int) Math.min(buf.capacity(), e.end() - off));
          dev.read(off, buf);
          buf.flip();
          out.write(buf, off);
        }
        prev = e.end();
      }
      assertZero(dev, prev, Math.min(size - prev, 4 << 20));
      out.truncate(size);
      if (out.size() < size) {
        out.write(ByteBuffer.allocate(1), size - 1);
      }
    }
  }

  /** Spot-checks that a hole reads as zeros (the first and last 64 KiB of it). */
  private static void assertZero(BlockDevice dev, long offset, long length) throws IOException {
    for (long at : new long[] {offset, Math.max(offset, offset + length - 65536)}) {
      int n = (int) Math.min(65536, offset + length - at);
      if (n <= 0) {
        continue;
      }
      ByteBuffer b = ByteBuffer.allocate(n);
      dev.read(at, b);
      for (int i = 0; i < n; i++) {
        if (b.get(i) != 0) {
          throw new AssertionError("hole at " + (at + i) + " reads non-zero in " + dev.describe());
        }
      }
    }
  }

  /** Writes every non-zero 64 KiB chunk of {@code raw} into {@code dev} sequentially. */
  public static void writeFromRaw(Path raw, BlockDevice dev) throws IOException {
    try (FileChannel in = FileChannel.open(raw, StandardOpenOption.READ)) {
      long size = in.size();
      ByteBuffer buf = ByteBuffer.allocate(65536);
      for (long off = 0; off < size; off += buf.capacity()) {
        buf.clear().limit((int) Math.min(buf.capacity(), size - off));
        while (buf.hasRemaining()) {
          if (in.read(buf, off + buf.position()) < 0) {
            break;
          }
        }
        buf.flip();
        if (!allZero(buf)) {
          dev.write(off, buf);
        }
      }
      dev.flush();
    }
  }

  static boolean allZero(ByteBuffer b) {
    for (int i = b.position(); i < b.limit(); i++) {
      if (b.get(i) != 0) {
        return false;
      }
    }
    return true;
  }
}
