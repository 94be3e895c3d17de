package io.ferry.export;

import io.ferry.config.HostPort;
import io.ferry.error.FerryException;
import io.ferry.error.Reason;
import io.ferry.proto.v1.NbdAddress;
import java.io.IOException;
import java.net.SocketAddress;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Pattern;

/**
 * Turns a request's {@link NbdAddress} into a socket address the agent may listen on: a Unix
 * socket named inside the agent's socket directory (never a path of the client's choosing) or a
 * loopback TCP address. Errors are INVALID_ARGUMENT naming {@code field}.
 */
final class ExportAddress {

  private static final Pattern SOCKET_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");
  /** sun_path holds 108 bytes with the terminating NUL. */
  static final int MAX_UNIX_PATH = 107;

  private ExportAddress() {}

  static SocketAddress resolve(NbdAddress a, Path socketDir, String field) {
    boolean unix = !a.getUnixSocket().isEmpty();
    boolean tcp = !a.getTcp().isEmpty();
    if (unix == tcp) {
      throw FerryException.invalid(field, unix ? "give unix_socket or tcp, not both"
          : "required: set unix_socket (a file name) or tcp (127.0.0.1:PORT)");
    }
    return unix ? unix(a.getUnixSocket(), socketDir, field + ".unix_socket")
        : tcp(a.getTcp(), field + ".tcp");
  }

  private static SocketAddress unix(String name, Path socketDir, String field) {
    if (!SOCKET_NAME.matcher(name).matches() || name.equals("..")) {
      throw FerryException.invalid(field, "'" + name + "' is not a plain file name (letters, "
          + "digits, '.', '_', '-', at most 64, no '/'); the socket is made in " + socketDir);
    }
    Path path = socketDir.resolve(name).toAbsolutePath();
    if (path.toString().getBytes(StandardCharsets.UTF_8).length > MAX_UNIX_PATH) {
      throw FerryException.invalid(field, "the socket path " + path + " is longer than the "
          + MAX_UNIX_PATH + " bytes a Unix socket allows; choose a shorter name");
    }
    return UnixDomainSocketAddress.of(path);
  }

  private static SocketAddress tcp(String text, String field) {
    HostPort hp;
    try {
      hp = HostPort.parse(text);
    } catch (IllegalArgumentException e) {
      throw FerryException.invalid(field, e.getMessage());
    }
    if (!hp.isLoopback()) {
      throw FerryException.invalid(field, "'" + text + "' is not a loopback address; exports "
          + "have no authentication, so they listen on 127.0.0.1 or ::1 only");
    }
    return hp.toSocketAddress();
  }

  /**
   * Makes room for a Unix socket: a file left by an agent that died (nobody accepts on it) is
   * removed; one somebody listens on is ALREADY_EXISTS.
   */
  static void clearStale(UnixDomainSocketAddress address, String field) throws IOException {
    Path path = address.getPath();
    if (!Files.exists(path, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
      return;
    }
    if (!isSocket(path)) {
      throw new FerryException(Reason.ALREADY_EXISTS, field + ": " + path + " exists and is not "
          + "a socket; choose another name");
    }
    try (SocketChannel probe = SocketChannel.open(StandardProtocolFamily.UNIX)) {
      probe.connect(address);
      throw new FerryException(Reason.ALREADY_EXISTS, field + ": something listens on " + path
          + " already; stop it or choose another name");
    } catch (IOException refused) {
      Files.deleteIfExists(path); // stale: its server is gone
    }
  }

  private static boolean isSocket(Path path) throws IOException {
    Object type = Files.getAttribute(path, "unix:mode", java.nio.file.LinkOption.NOFOLLOW_LINKS);
    return type instanceof Integer mode && (mode & 0170000) == 0140000;
  }

  /** The address as the API reports it. */
  static NbdAddress describe(SocketAddress bound) {
    if (bound instanceof UnixDomainSocketAddress u) {
      return NbdAddress.newBuilder().setUnixSocket(u.getPath().getFileName().toString()).build();
    }
    java.net.InetSocketAddress inet = (java.net.InetSocketAddress) bound;
    String host = inet.getAddress() instanceof java.net.Inet6Address
        ? "[" + inet.getHostString() + "]" : inet.getHostString();
    return NbdAddress.newBuilder().setTcp(host + ":" + inet.getPort()).build();
  }
}
