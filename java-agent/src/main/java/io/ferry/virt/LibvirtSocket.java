package io.ferry.virt;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Whether a local libvirt daemon can be there for a URI, judged from its unix socket, so that an
 * agent on a host without libvirt starts quietly instead of having libvirt's client print
 * connection errors.
 */
public final class LibvirtSocket {

  private static final Pattern SOCKET = Pattern.compile("[?&]socket=([^&]+)");
  private static final Path SYSTEM = Path.of("/run/libvirt/libvirt-sock");

  private LibvirtSocket() {}

  /** True when the URI's socket exists, or when the URI is not a local unix-socket one. */
  public static boolean present(String uri) {
    Matcher m = SOCKET.matcher(uri);
    if (m.find()) {
      return Files.exists(Path.of(m.group(1)));
    }
    if (uri.startsWith("qemu:///system")) {
      return Files.exists(SYSTEM);
    }
    return true;
  }
}
