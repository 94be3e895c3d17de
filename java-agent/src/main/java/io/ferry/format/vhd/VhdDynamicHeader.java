package io.ferry.format.vhd;

import static io.ferry.format.FormatErrors.check;

import io.ferry.format.ImageFormat;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * The 1024-byte dynamic disk header: cookie "cxsparse", BAT offset, max table entries, block
 * size, checksum; the parent fields are for differencing disks, which Ferry refuses.
 */
record VhdDynamicHeader(long batOffset, int maxEntries, int blockSize) {

  static final int SIZE = 1024;
  static final long MAX_BAT_BYTES = 64L << 20;

  static VhdDynamicHeader parse(ByteBuffer b, long fileLength, long virtualSize) {
    ImageFormat f = ImageFormat.VHD;
    byte[] raw = new byte[SIZE];
    b.duplicate().get(raw);
    check(new String(raw, 0, 8, StandardCharsets.ISO_8859_1).equals("cxsparse"), f,
        "dynamic header cookie is not 'cxsparse'");
    ByteBuffer w = ByteBuffer.wrap(raw);
    check(VhdFooter.checksum(raw, 36) == w.getInt(36), f, "dynamic header checksum mismatch");
    VhdDynamicHeader h = new VhdDynamicHeader(w.getLong(16), w.getInt(28), w.getInt(32));
    check(h.blockSize >= 512 && Integer.bitCount(h.blockSize) == 1 && h.blockSize <= (256 << 20),
        f, "block size " + h.blockSize + " is not a power of two in 512 B..256 MiB");
    check(h.maxEntries >= 0 && (long) h.maxEntries * 4 <= MAX_BAT_BYTES, f,
        "BAT of " + h.maxEntries + " entries exceeds the 64 MiB limit");
    check((long) h.maxEntries * h.blockSize >= virtualSize, f,
        "BAT of " + h.maxEntries + " entries is too small for virtual size " + virtualSize);
    check(h.batOffset >= 0 && h.batOffset <= fileLength - (long) h.maxEntries * 4, f,
        "BAT at " + h.batOffset + " lies beyond the end of the file");
    return h;
  }

  /** Bytes of a block's sector bitmap, padded to a 512-byte sector. */
  int bitmapBytes() {
    return ((blockSize / 512 / 8) + 511) / 512 * 512;
  }

  static ByteBuffer build(long batOffset, int maxEntries, int blockSize) {
    ByteBuffer b = ByteBuffer.allocate(SIZE);
    b.put("cxsparse".getBytes(StandardCharsets.US_ASCII));
    b.putLong(-1L).putLong(batOffset).putInt(0x00010000).putInt(maxEntries).putInt(blockSize);
    b.putInt(36, VhdFooter.checksum(b.array(), 36));
    return b.clear();
  }
}
