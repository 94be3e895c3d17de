package io.ferry.format;

import io.ferry.device.BlockDevice;
import io.ferry.error.FerryException;
import java.io.IOException;

/**
 * Opens a file that an image names next to itself (a vmdk descriptor's flat extent). The caller
 * (the endpoint resolver) decides where "next to" is and keeps it inside its configured roots;
 * {@link #checkName} has already refused anything but a plain file name.
 */
@FunctionalInterface
public interface SiblingFiles {

  BlockDevice open(String name, boolean readOnly) throws IOException;

  /** No sibling may be opened: images that name other files are refused. */
  SiblingFiles NONE = (name, readOnly) -> {
    throw FerryException.invalid("format", "the image references another file ('" + name
        + "') and this endpoint does not allow it; convert it to a single-file image first");
  };

  /** Refuses names that are not a plain file name: paths, "..", absolute, control characters. */
  static String checkName(String name) {
    boolean ok = !name.isEmpty() && name.length() <= 255 && !name.equals(".")
        && !name.equals("..") && name.indexOf('/') < 0 && name.indexOf('\\') < 0
        && name.chars().allMatch(c -> c >= 0x20 && c != 0x7f);
    if (!ok) {
      throw FerryException.invalid("format", "the image references the file '"
          + FormatErrors.printable(name.getBytes(java.nio.charset.StandardCharsets.UTF_8), 100)
          + "', which is not a plain file name next to it; Ferry refuses paths, '..' and"
          + " absolute names");
    }
    return name;
  }
}
