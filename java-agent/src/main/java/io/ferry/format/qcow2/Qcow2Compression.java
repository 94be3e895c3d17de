package io.ferry.format.qcow2;

import io.airlift.compress.zstd.ZstdCompressor;
import io.airlift.compress.zstd.ZstdDecompressor;
import io.ferry.format.FormatErrors;
import io.ferry.format.ImageFormat;
import java.util.zip.DataFormatException;
import java.util.zip.Deflater;
import java.util.zip.Inflater;

/**
 * Compressed clusters: raw deflate (compression_type 0) and zstd (1), as QEMU writes them.
 *
 * <p>QEMU inflates with a 4 KiB window (windowBits -12); Java's Deflater always uses 32 KiB, so
 * the compressor resets its dictionary every 4 KiB (FULL_FLUSH), which keeps every back-reference
 * inside QEMU's window. zstd is aircompressor's pure-Java codec;
 * its frames are measured first so that trailing bytes never reach the decoder.
 */
final class Qcow2Compression {

  static final int ZLIB = 0;
  static final int ZSTD = 1;
  private static final int QEMU_WINDOW = 4096;

  private Qcow2Compression() {}

  /** Decompresses exactly {@code out.length} bytes; trailing input (sector padding) is ignored. */
  static void decompress(int type, byte[] in, int inLen, byte[] out) {
    try {
      int n = type == ZSTD ? unzstd(in, inLen, out) : inflate(in, inLen, out);
      if (n != out.length) {
        throw FormatErrors.corrupt(ImageFormat.QCOW2, "compressed cluster holds " + n
            + " bytes instead of " + out.length);
      }
    } catch (DataFormatException | RuntimeException e) {
      if (e instanceof io.ferry.error.FerryException fe) {
        throw fe;
      }
      throw FormatErrors.corrupt(ImageFormat.QCOW2, "compressed cluster cannot be decompressed ("
          + e.getClass().getSimpleName() + ")");
    }
  }

  private static int inflate(byte[] in, int inLen, byte[] out) throws DataFormatException {
    Inflater inf = new Inflater(true);
    try {
      inf.setInput(in, 0, inLen);
      int n = 0;
      while (n < out.length) {
        int r = inf.inflate(out, n, out.length - n);
        if (r == 0 && (inf.finished() || inf.needsInput() || inf.needsDictionary())) {
          break;
        }
        n += r;
      }
      return n;
    } finally {
      inf.end();
    }
  }

  private static int unzstd(byte[] in, int inLen, byte[] out) {
    int frame = zstdFrameLength(in, inLen);
    return new ZstdDecompressor().decompress(in, 0, frame, out, 0, out.length);
  }

  /**
   * Length of the zstd frame at the start of {@code in}, walking its block headers: QEMU's
   * compressed clusters are followed by padding or by the next cluster, which the decoder must
   * not see.
   */
  static int zstdFrameLength(byte[] in, int inLen) {
    check(inLen >= 6 && (in[0] & 0xff) == 0x28 && (in[1] & 0xff) == 0xb5
        && (in[2] & 0xff) == 0x2f && (in[3] & 0xff) == 0xfd, "bad zstd frame magic");
    int fhd = in[4] & 0xff;
    boolean single = (fhd & 0x20) != 0;
    int fcs = new int[] {single ? 1 : 0, 2, 4, 8}[fhd >>> 6];
    int dict = new int[] {0, 1, 2, 4}[fhd & 3];
    int pos = 5 + (single ? 0 : 1) + dict + fcs;
    while (true) {
      check(pos + 3 <= inLen, "zstd frame runs past the compressed cluster");
      int bh = (in[pos] & 0xff) | (in[pos + 1] & 0xff) << 8 | (in[pos + 2] & 0xff) << 16;
      int type = (bh >>> 1) & 3;
      int size = bh >>> 3;
      check(type != 3, "reserved zstd block type");
      pos += 3 + (type == 1 ? 1 : size);
      if ((bh & 1) != 0) {
        break;
      }
    }
    pos += (fhd & 4) != 0 ? 4 : 0;
    check(pos <= inLen, "zstd frame runs past the compressed cluster");
    return pos;
  }

  private static void check(boolean ok, String problem) {
    if (!ok) {
      throw FormatErrors.corrupt(ImageFormat.QCOW2, "compressed cluster: " + problem);
    }
  }

  /** Compresses {@code in}; returns the compressed length, or -1 if it would not fit in out. */
  static int compress(int type, byte[] in, byte[] out) {
    if (type == ZSTD) {
      ZstdCompressor c = new ZstdCompressor();
      if (out.length < c.maxCompressedLength(in.length)) {
        byte[] big = new byte[c.maxCompressedLength(in.length)];
        int n = c.compress(in, 0, in.length, big, 0, big.length);
        if (n > out.length) {
          return -1;
        }
        System.arraycopy(big, 0, out, 0, n);
        return n;
      }
      return c.compress(in, 0, in.length, out, 0, out.length);
    }
    Deflater d = new Deflater(Deflater.DEFAULT_COMPRESSION, true);
    try {
      int n = 0;
      for (int off = 0; off < in.length; off += QEMU_WINDOW) {
        d.setInput(in, off, Math.min(QEMU_WINDOW, in.length - off));
        boolean last = off + QEMU_WINDOW >= in.length;
        if (last) {
          d.finish();
        }
        while (true) {
          int space = out.length - n;
          int r = d.deflate(out, n, space, last ? Deflater.NO_FLUSH : Deflater.FULL_FLUSH);
          n += r;
          if (last ? d.finished() : r < space) {
            break;
          }
          if (n >= out.length) {
            return -1;
          }
        }
      }
      return n;
    } finally {
      d.end();
    }
  }
}
