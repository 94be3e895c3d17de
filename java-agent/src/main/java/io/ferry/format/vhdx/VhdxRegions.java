package io.ferry.format.vhdx;

import static io.ferry.format.FormatErrors.check;

import io.ferry.format.FormatErrors;
import io.ferry.format.ImageFormat;
import io.ferry.format.Store;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.UUID;
import java.util.zip.CRC32C;

/**
 * The fixed part of a VHDX file (little-endian): file identifier "vhdxfile" at 0; two headers
 * ("head", CRC32C over 4 KiB) at 64 and 128 KiB, the one with the higher sequence number wins;
 * two region tables ("regi", CRC32C over 64 KiB) at 192 and 256 KiB naming the BAT and metadata
 * regions. A header with a log GUID means the log must be replayed: refused.
 */
record VhdxRegions(long batOffset, long batLength, long metaOffset, long metaLength) {

  static final ImageFormat F = ImageFormat.VHDX;
  static final UUID BAT = UUID.fromString("2dc27766-f623-4200-9d64-115e9bfd4a08");
  static final UUID METADATA = UUID.fromString("8b7ca206-4790-4b9a-b8fe-575f050f886e");

  static VhdxRegions read(Store store) throws IOException {
    check(store.length() >= (1 << 20), F, "the file is shorter than the 1 MiB VHDX header area");
    ByteBuffer id = store.readMeta(0, 8, "file identifier");
    check(new String(id.array(), 0, 8, StandardCharsets.US_ASCII).equals("vhdxfile"), F,
        "bad file identifier");
    ByteBuffer h = bestHeader(store);
    UUID log = guid(h, 48);
    if (!log.equals(new UUID(0, 0))) {
      throw FormatErrors.refused(F, "has a log that must be replayed first (log GUID " + log
          + "): open it once with qemu-img check -r all or Hyper-V, then retry");
    }
    check((h.getShort(66) & 0xffff) == 1, F, "unsupported header version " + h.getShort(66));
    ByteBuffer r = regionTable(store, 192 << 10);
    if (r == null) {
      r = regionTable(store, 256 << 10);
    }
    check(r != null, F, "both region tables fail their checksum");
    return parseRegions(r, store.length());
  }

  private static ByteBuffer bestHeader(Store store) throws IOException {
    ByteBuffer best = null;
    for (long off : new long[] {64 << 10, 128 << 10}) {
      ByteBuffer h = store.readMeta(off, 4096, "header").order(ByteOrder.LITTLE_ENDIAN);
      if (h.getInt(0) == 0x64616568 && crcOk(h, 4)
          && (best == null || Long.compareUnsigned(h.getLong(8), best.getLong(8)) > 0)) {
        best = h;
      }
    }
    check(best != null, F, "both headers fail their checksum");
    return best;
  }

  private static ByteBuffer regionTable(Store store, long off) throws IOException {
    ByteBuffer r = store.readMeta(off, 64 << 10, "region table").order(ByteOrder.LITTLE_ENDIAN);
    return r.getInt(0) == 0x69676572 && crcOk(r, 4) ? r : null;
  }

  private static VhdxRegions parseRegions(ByteBuffer r, long fileLength) {
    int count = r.getInt(8);
    check(count >= 0 && count <= 2047, F, "region table has " + count + " entries");
    long[] bat = null;
    long[] meta = null;
    for (int i = 0; i < count; i++) {
      int e = 16 + i * 32;
      UUID g = guid(r, e);
      long off = r.getLong(e + 16);
      long len = r.getInt(e + 24) & 0xffffffffL;
      boolean required = (r.getInt(e + 28) & 1) != 0;
      check(off >= (1 << 20) && off % (1 << 20) == 0 && len > 0 && len % (1 << 20) == 0
          && off <= fileLength - len, F, "region " + g + " at " + off + " (" + len
          + " bytes) is misaligned or outside the file");
      if (g.equals(BAT)) {
        bat = new long[] {off, len};
      } else if (g.equals(METADATA)) {
        meta = new long[] {off, len};
      } else if (required) {
        throw FormatErrors.refused(F, "needs an unknown region " + g + "; Ferry cannot read it");
      }
    }
    check(bat != null && meta != null, F, "region table lacks the BAT or metadata region");
    check(bat[0] + bat[1] <= meta[0] || meta[0] + meta[1] <= bat[0], F,
        "BAT and metadata regions overlap");
    return new VhdxRegions(bat[0], bat[1], meta[0], meta[1]);
  }

  static boolean crcOk(ByteBuffer b, int at) {
    int stored = b.getInt(at);
    byte[] copy = new byte[b.limit()];
    b.duplicate().position(0).get(copy);
    copy[at] = copy[at + 1] = copy[at + 2] = copy[at + 3] = 0;
    CRC32C crc = new CRC32C();
    crc.update(copy);
    return (int) crc.getValue() == stored;
  }

  /** A Microsoft GUID: first three fields little-endian, the rest as bytes. */
  static UUID guid(ByteBuffer b, int at) {
    ByteBuffer le = b.duplicate().order(ByteOrder.LITTLE_ENDIAN);
    long d1 = le.getInt(at) & 0xffffffffL;
    long d2 = le.getShort(at + 4) & 0xffffL;
    long d3 = le.getShort(at + 6) & 0xffffL;
    long hi = d1 << 32 | d2 << 16 | d3;
    long lo = b.duplicate().order(ByteOrder.BIG_ENDIAN).getLong(at + 8);
    return new UUID(hi, lo);
  }
}
