package io.ferry.format.vmdk;

import io.ferry.format.FormatErrors;
import io.ferry.format.ImageFormat;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The text descriptor of a vmdk: createType, parentCID and extent lines such as
 * {@code RW 2048 FLAT "disk-flat.vmdk" 0}. Differencing disks (a parent) are refused.
 */
record VmdkDescriptor(String createType, List<Extent> extents) {

  record Extent(String access, long sectors, String type, String file, long offset) {}

  static final ImageFormat F = ImageFormat.VMDK;
  static final int MAX_BYTES = 1 << 20;
  private static final Pattern EXTENT = Pattern.compile(
      "^(RW|RDONLY|NOACCESS)\\s+(\\d+)\\s+(\\w+)(?:\\s+\"([^\"]*)\"(?:\\s+(\\d+))?)?\\s*$");

  static VmdkDescriptor parse(byte[] raw, int len) {
    String text = new String(raw, 0, len, StandardCharsets.UTF_8);
    int nul = text.indexOf('\0');
    if (nul >= 0) {
      text = text.substring(0, nul);
    }
    String createType = null;
    List<Extent> extents = new ArrayList<>();
    for (String line : text.split("\\r?\\n")) {
      String l = line.trim();
      if (l.startsWith("createType")) {
        createType = value(l);
      } else if (l.startsWith("parentCID") && !value(l).equalsIgnoreCase("ffffffff")) {
        throw refusedParent();
      } else if (l.startsWith("parentFileNameHint")) {
        throw refusedParent();
      } else {
        Matcher m = EXTENT.matcher(l);
        if (m.matches()) {
          extents.add(new Extent(m.group(1), parseLong(m.group(2)), m.group(3), m.group(4),
              m.group(5) == null ? 0 : parseLong(m.group(5))));
        }
      }
    }
    FormatErrors.check(createType != null, F, "descriptor has no createType");
    FormatErrors.check(!extents.isEmpty(), F, "descriptor has no extent");
    return new VmdkDescriptor(createType, extents);
  }

  private static RuntimeException refusedParent() {
    return FormatErrors.refused(F, "is a differencing disk with a parent: Ferry refuses images"
        + " that reference other files; merge it first with qemu-img convert");
  }

  private static long parseLong(String s) {
    try {
      return Long.parseLong(s);
    } catch (NumberFormatException e) {
      throw FormatErrors.corrupt(F, "descriptor number '" + s + "' is out of range");
    }
  }

  private static String value(String line) {
    int eq = line.indexOf('=');
    String v = eq < 0 ? "" : line.substring(eq + 1).trim();
    if (v.length() >= 2 && v.startsWith("\"") && v.endsWith("\"")) {
      v = v.substring(1, v.length() - 1);
    }
    return v;
  }

  /** The descriptor of a streamOptimized image of {@code sectors}. */
  static String streamOptimized(long sectors, String fileName, int cid) {
    long cyl = Math.min(65535, sectors / (16 * 63));
    return "# Disk DescriptorFile\nversion=1\nCID=" + String.format("%08x", cid)
        + "\nparentCID=ffffffff\ncreateType=\"streamOptimized\"\n\n# Extent description\n"
        + "RDONLY " + sectors + " SPARSE \"" + fileName + "\"\n\n# The Disk Data Base\n#DDB\n\n"
        + "ddb.virtualHWVersion = \"4\"\nddb.geometry.cylinders = \"" + cyl + "\"\n"
        + "ddb.geometry.heads = \"16\"\nddb.geometry.sectors = \"63\"\n"
        + "ddb.adapterType = \"ide\"\nddb.toolsInstallType = \"4\"\n";
  }
}
