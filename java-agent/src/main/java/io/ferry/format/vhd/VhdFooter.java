package io.ferry.format.vhd;

import static io.ferry.format.FormatErrors.check;

import io.ferry.format.FormatErrors;
import io.ferry.format.ImageFormat;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.UUID;

/**
 * The 512-byte VHD footer (big-endian): cookie "conectix", features, version, data offset (the
 * dynamic header, or all ones for fixed disks), timestamp, creator application, original and
 * current size, CHS geometry, disk type (2 fixed, 3 dynamic, 4 differencing), checksum (one's
 * complement of the byte sum), unique id.
 *
 * <p>The virtual size follows qemu's rule so that Ferry and qemu-img agree: the CHS geometry
 * (cylinders x heads x sectors) unless the creator is one that sizes by current_size ("win ",
 * "qem2", "d2v ", "CTXS", "tap\0") or the geometry is the maximum one.
 */
public record VhdFooter(
    long dataOffset, String creator, long currentSize, int cylinders, int heads, int sectors,
    int diskType) {

  static final ImageFormat F = ImageFormat.VHD;
  public static final int SIZE = 512;
  public static final int FIXED = 2;
  public static final int DYNAMIC = 3;
  static final long MAX_GEOMETRY = 65535L * 16 * 255;
  /** qemu's limit: 2040 GiB. */
  public static final long MAX_SIZE = 0xff000000L * 512;

  public static VhdFooter parse(ByteBuffer b) {
    check(b.remaining() >= SIZE, F, "footer is short");
    byte[] cookie = new byte[8];
    b.duplicate().get(cookie);
    check(new String(cookie, StandardCharsets.ISO_8859_1).equals("conectix"), F,
        "footer cookie is not 'conectix'");
    byte[] raw = new byte[SIZE];
    b.duplicate().get(raw);
    check(checksum(raw, 64) == ByteBuffer.wrap(raw).getInt(64), F, "footer checksum mismatch");
    ByteBuffer w = ByteBuffer.wrap(raw);
    byte[] app = new byte[4];
    w.position(28);
    w.get(app);
    VhdFooter f = new VhdFooter(w.getLong(16), new String(app, StandardCharsets.ISO_8859_1),
        w.getLong(48), w.getShort(56) & 0xffff, raw[58] & 0xff, raw[59] & 0xff, w.getInt(60));
    if (f.diskType == 4) {
      throw FormatErrors.refused(F, "is a differencing disk with a parent: Ferry refuses images"
          + " that reference other files; merge it first with qemu-img convert");
    }
    check(f.diskType == FIXED || f.diskType == DYNAMIC, F, "unknown disk type " + f.diskType);
    check(f.currentSize >= 0 && f.currentSize <= MAX_SIZE, F,
        "current size " + f.currentSize + " is out of range");
    return f;
  }

  /** Virtual size as qemu computes it. */
  public long virtualSize() {
    boolean useChs = !(creator.equals("win ") || creator.equals("qem2") || creator.equals("d2v ")
        || creator.equals("CTXS") || creator.equals("tap\0"));
    long chs = (long) cylinders * heads * sectors;
    if (!useChs || chs == MAX_GEOMETRY) {
      return currentSize / 512 * 512;
    }
    return chs * 512;
  }

  /** One's complement of the sum of all bytes except the 4 at {@code skip}. */
  static int checksum(byte[] raw, int skip) {
    int sum = 0;
    for (int i = 0; i < raw.length; i++) {
      if (i < skip || i >= skip + 4) {
        sum += raw[i] & 0xff;
      }
    }
    return ~sum;
  }

  /** A footer for a new image of {@code size} bytes sized by current_size (creator "qem2"). */
  public static ByteBuffer build(long size, int diskType, long dataOffset) {
    ByteBuffer b = ByteBuffer.allocate(SIZE);
    b.put("conectix".getBytes(StandardCharsets.US_ASCII));
    b.putInt(2).putInt(0x00010000).putLong(dataOffset);
    b.putInt((int) (System.currentTimeMillis() / 1000 - 946684800L));
    b.put("qem2".getBytes(StandardCharsets.US_ASCII)).putShort((short) 5).putShort((short) 3);
    b.put("Wi2k".getBytes(StandardCharsets.US_ASCII));
    b.putLong(size).putLong(size);
    int[] chs = geometry(size / 512);
    b.putShort((short) chs[0]).put((byte) chs[1]).put((byte) chs[2]);
    b.putInt(diskType).putInt(0);
    UUID id = UUID.randomUUID();
    b.putLong(id.getMostSignificantBits()).putLong(id.getLeastSignificantBits());
    b.putInt(64, checksum(b.array(), 64));
    return b.clear();
  }

  /** CHS geometry from the VHD specification (cylinders, heads, sectors per track). */
  static int[] geometry(long totalSectors) {
    long total = Math.min(totalSectors, MAX_GEOMETRY);
    int spt;
    int heads;
    long cth;
    if (total >= 65535L * 16 * 63) {
      spt = 255;
      heads = 16;
      cth = total / spt;
    } else {
      spt = 17;
      cth = total / spt;
      heads = (int) Math.max(4, (cth + 1023) / 1024);
      if (cth >= heads * 1024L || heads > 16) {
        spt = 31;
        heads = 16;
        cth = total / spt;
      }
      if (cth >= heads * 1024L) {
        spt = 63;
        heads = 16;
        cth = total / spt;
      }
    }
    return new int[] {(int) (cth / heads), heads, spt};
  }
}
