package io.ferry.config;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Human sizes and rates, both ways: "4MiB", "1.5G", "200MiB/s", "0" in; "1.5 GiB", "200 MiB/s"
 * out. Binary units (KiB, MiB, ...) and their short forms (K, M, G, T) are powers of 1024; SI
 * units (kB, MB, GB, TB) are powers of 1000, as `qemu-img` and `rbd` read them.
 */
public final class ByteSizes {

  private static final Pattern SIZE =
      Pattern.compile("\\s*([0-9]+(?:\\.[0-9]+)?)\\s*([a-zA-Z]*)\\s*");
  private static final String[] BINARY = {"B", "KiB", "MiB", "GiB", "TiB", "PiB"};

  private ByteSizes() {}

  /** Parses a size such as "4MiB", "512", "1.5G". Throws IllegalArgumentException saying why. */
  public static long parseSize(String text) {
    if (text == null || text.isBlank()) {
      throw new IllegalArgumentException("empty size; write e.g. 4MiB, 1G or 65536");
    }
    Matcher m = SIZE.matcher(text);
    if (!m.matches()) {
      throw new IllegalArgumentException(
          "'" + text + "' is not a size; write e.g. 4MiB, 1G or 65536");
    }
    double value = Double.parseDouble(m.group(1));
    long unit = unit(m.group(2), text);
    double bytes = value * unit;
    if (bytes > Long.MAX_VALUE) {
      throw new IllegalArgumentException("'" + text + "' is too large");
    }
    return Math.round(bytes);
  }

  /** Parses a rate such as "200MiB/s", "1G/s", "100M" ("/s" optional); 0 means unlimited. */
  public static long parseRate(String text) {
    if (text == null) {
      throw new IllegalArgumentException("empty rate; write e.g. 200MiB/s or 0 for unlimited");
    }
    String t = text.strip();
    if (t.endsWith("/s")) {
      t = t.substring(0, t.length() - 2);
    } else if (t.endsWith("ps")) {
      t = t.substring(0, t.length() - 2);
    }
    try {
      return parseSize(t);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(
          "'" + text + "' is not a rate; write e.g. 200MiB/s, 1G/s or 0 for unlimited");
    }
  }

  private static long unit(String suffix, String text) {
    switch (suffix.toLowerCase(Locale.ROOT)) {
      case "", "b":
        return 1L;
      case "k", "kib":
        return 1L << 10;
      case "m", "mib":
        return 1L << 20;
      case "g", "gib":
        return 1L << 30;
      case "t", "tib":
        return 1L << 40;
      case "p", "pib":
        return 1L << 50;
      case "kb":
        return 1_000L;
      case "mb":
        return 1_000_000L;
      case "gb":
        return 1_000_000_000L;
      case "tb":
        return 1_000_000_000_000L;
      default:
        throw new IllegalArgumentException(
            "'" + text + "' has an unknown unit '" + suffix + "'; use B, KiB, MiB, GiB, TiB, e.g. 4MiB");
    }
  }

  /** "0 B", "512 B", "4.0 KiB", "1.50 GiB": three significant digits. */
  public static String format(long bytes) {
    if (bytes < 1024) {
      return bytes + " B";
    }
    double value = bytes;
    int i = 0;
    while (value >= 1024 && i < BINARY.length - 1) {
      value /= 1024;
      i++;
    }
    String number =
        value >= 100
            ? String.format(Locale.ROOT, "%.0f", value)
            : value >= 10
                ? String.format(Locale.ROOT, "%.1f", value)
                : String.format(Locale.ROOT, "%.2f", value);
    return number + " " + BINARY[i];
  }

  /** "200 MiB/s"; 0 is "unlimited". */
  public static String formatRate(long bytesPerSec) {
    return bytesPerSec == 0 ? "unlimited" : format(bytesPerSec) + "/s";
  }
}
