package io.ferry.format;

import io.ferry.device.BlockDevice;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * Detects an image's format from its magic bytes: qcow2 "QFI\xfb", vmdk "KDMV" (sparse) or a
 * text descriptor, VHD "conectix" (a dynamic image's footer copy at 0, or a fixed image's footer
 * in the last 512 bytes), VHDX "vhdxfile". Anything else is raw.
 *
 * <p>Probing is a convenience for operators; it is a risk when a guest can write the first bytes
 * of a raw disk (a raw volume made to look like qcow2). Callers that know the format pass it to
 * {@link Formats#open}, which then checks the magic instead of guessing.
 */
public final class FormatProbe {

  private FormatProbe() {}

  public static ImageFormat probe(BlockDevice store) throws IOException {
    long len = store.size();
    byte[] head = read(store, 0, (int) Math.min(len, 512));
    if (starts(head, new byte[] {'Q', 'F', 'I', (byte) 0xfb})) {
      return ImageFormat.QCOW2;
    }
    if (starts(head, "KDMV".getBytes(StandardCharsets.US_ASCII)) || isVmdkDescriptor(head)) {
      return ImageFormat.VMDK;
    }
    if (starts(head, "vhdxfile".getBytes(StandardCharsets.US_ASCII))) {
      return ImageFormat.VHDX;
    }
    if (starts(head, "conectix".getBytes(StandardCharsets.US_ASCII))) {
      return ImageFormat.VHD;
    }
    if (len >= 1024 && len % 512 == 0) {
      byte[] tail = read(store, len - 512, 8);
      if (starts(tail, "conectix".getBytes(StandardCharsets.US_ASCII))) {
        return ImageFormat.VHD;
      }
    }
    return ImageFormat.RAW;
  }

  static boolean isVmdkDescriptor(byte[] head) {
    String s = new String(head, StandardCharsets.ISO_8859_1);
    return s.startsWith("# Disk DescriptorFile") || s.startsWith("#Disk DescriptorFile");
  }

  private static byte[] read(BlockDevice store, long offset, int n) throws IOException {
    ByteBuffer b = ByteBuffer.allocate(n);
    store.read(offset, b);
    return b.array();
  }

  private static boolean starts(byte[] data, byte[] magic) {
    if (data.length < magic.length) {
      return false;
    }
    for (int i = 0; i < magic.length; i++) {
      if (data[i] != magic[i]) {
        return false;
      }
    }
    return true;
  }
}
