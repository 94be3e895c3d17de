package io.ferry.format;

import io.ferry.error.FerryException;
import io.ferry.error.Reason;

/**
 * The two ways an image is rejected: {@link #corrupt} (DATA_LOSS: the image contradicts its own
 * format) and {@link #refused} (INVALID_ARGUMENT: a valid image using a feature Ferry will not
 * follow, such as a backing file). Every parser failure goes through here, never an unchecked
 * exception.
 */
public final class FormatErrors {

  private FormatErrors() {}

  public static FerryException corrupt(ImageFormat format, String problem) {
    return new FerryException(
        Reason.DATA_LOSS,
        format.qemuName() + " image is corrupt: " + problem
            + "; check it with 'qemu-img check' and repair or re-create it");
  }

  public static FerryException refused(ImageFormat format, String problem) {
    return new FerryException(Reason.INVALID_ARGUMENT, format.qemuName() + " image " + problem);
  }

  /** Throws {@link #corrupt} unless {@code ok}. */
  public static void check(boolean ok, ImageFormat format, String problem) {
    if (!ok) {
      throw corrupt(format, problem);
    }
  }

  /** Printable, bounded rendering of a name read from an image, safe for messages and logs. */
  public static String printable(byte[] raw, int max) {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < raw.length && i < max; i++) {
      int c = raw[i] & 0xff;
      sb.append(c >= 0x20 && c < 0x7f ? (char) c : '?');
    }
    if (raw.length > max) {
      sb.append("...");
    }
    return sb.toString();
  }
}
