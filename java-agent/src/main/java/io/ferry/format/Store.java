package io.ferry.format;

import io.ferry.device.BlockDevice;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The byte store under a codec (a raw file, an RBD image) with bounds-checked metadata reads.
 *
 * <p>Metadata reads ({@link #readMeta}) must lie wholly inside the store, or the image is
 * corrupt. Data reads ({@link #readData}) past the end read as zeros, as in qemu (an image's last
 * cluster may be short). Writes past the end grow the store: the underlying device must accept
 * that (files do).
 */
public final class Store implements AutoCloseable {

  private final BlockDevice device;
  private final ImageFormat format;
  private final AtomicLong length;

  public Store(BlockDevice device, ImageFormat format) throws IOException {
    this.device = device;
    this.format = format;
    this.length = new AtomicLong(device.size());
  }

  public BlockDevice device() {
    return device;
  }

  /** Current length in bytes, including writes made through this store. */
  public long length() {
    return length.get();
  }

  /** Reads {@code len} bytes of metadata named {@code what}; DATA_LOSS if outside the store. */
  public ByteBuffer readMeta(long offset, long len, String what) throws IOException {
    FormatErrors.check(
        offset >= 0 && len >= 0 && len <= Integer.MAX_VALUE && offset <= length() - len,
        format,
        what + " at offset " + offset + " (" + len + " bytes) lies beyond the end of the file ("
            + length() + " bytes)");
    ByteBuffer buf = ByteBuffer.allocate((int) len);
    device.read(offset, buf);
    buf.flip();
    return buf;
  }

  /** Like {@link #readMeta}, in byte order {@code order} (the default is big-endian). */
  public ByteBuffer readMeta(long offset, long len, String what, ByteOrder order)
      throws IOException {
    return readMeta(offset, len, what).order(order);
  }

  /** Reads data into {@code dst}; the part beyond the end of the store reads as zeros. */
  public void readData(long offset, ByteBuffer dst) throws IOException {
    long avail = Math.max(0, length() - offset);
    int n = (int) Math.min(dst.remaining(), avail);
    if (n > 0) {
      ByteBuffer part = dst.slice().limit(n);
      device.read(offset, part);
      dst.position(dst.position() + n);
    }
    fillZeros(dst);
  }

  private static final byte[] ZEROS = new byte[64 * 1024];

  /** Fills the rest of {@code dst} with zeros, in bulk. */
  public static void fillZeros(ByteBuffer dst) {
    while (dst.hasRemaining()) {
      dst.put(ZEROS, 0, Math.min(ZEROS.length, dst.remaining()));
    }
  }

  /** Writes {@code src} at {@code offset}, growing the store if needed. */
  public void write(long offset, ByteBuffer src) throws IOException {
    long end = offset + src.remaining();
    device.write(offset, src);
    length.accumulateAndGet(end, Math::max);
  }

  public void flush() throws IOException {
    device.flush();
  }

  @Override
  public void close() throws IOException {
    device.close();
  }
}
