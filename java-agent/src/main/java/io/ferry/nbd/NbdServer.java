package io.ferry.nbd;

import io.ferry.device.BlockDevice;
import java.io.EOFException;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An NBD server exporting one {@link BlockDevice} on a Unix socket or a TCP address: one thread
 * per connection reads its requests, which are served concurrently (up to
 * {@link #DEFAULT_IN_FLIGHT}) with replies in any order. The device is not closed by the server: its owner passes the agent's shared
 * device so writes through the export reach a running job's write tap.
 *
 * <pre>
 * try (NbdServer nbd = NbdServer.start(device, UnixDomainSocketAddress.of(path), "vol", false)) {
 *   // qemu-img info nbd+unix:///vol?socket=path
 * }
 * </pre>
 */
public final class NbdServer implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(NbdServer.class);

  private final ServerSocketChannel listener;
  private final NbdExport export;
  private final SocketAddress address;
  private final Set<SocketChannel> connections = ConcurrentHashMap.newKeySet();
  private final Thread acceptor;
  private final int maxInFlight;
  private volatile boolean closed;
  private volatile AutoCloseable owned;

  /** Requests served concurrently per connection by default. */
  public static final int DEFAULT_IN_FLIGHT = 16;

  private NbdServer(ServerSocketChannel listener, NbdExport export, int maxInFlight)
      throws IOException {
    this.maxInFlight = maxInFlight;
    this.listener = listener;
    this.export = export;
    this.address = listener.getLocalAddress();
    this.acceptor = new Thread(this::acceptLoop, "nbd-accept-" + export.name());
    acceptor.setDaemon(true);
  }

  /**
   * Starts serving {@code device} as {@code exportName} on {@code address}: a
   * {@link UnixDomainSocketAddress} (an existing socket file there is refused) or an
   * {@link InetSocketAddress} (port 0 picks a free port; see {@link #address()}).
   */
  public static NbdServer start(BlockDevice device, SocketAddress address, String exportName,
      boolean readOnly) throws IOException {
    return start(device, address, exportName, readOnly, DEFAULT_IN_FLIGHT);
  }

  /**
   * Like {@link #start(BlockDevice, SocketAddress, String, boolean)}, serving at most {@code
   * maxInFlight} requests of a connection at once (1: one at a time, in order).
   */
  public static NbdServer start(BlockDevice device, SocketAddress address, String exportName,
      boolean readOnly, int maxInFlight) throws IOException {
    if (maxInFlight < 1) {
      throw new IllegalArgumentException("maxInFlight must be >= 1, got " + maxInFlight);
    }
    ServerSocketChannel ch;
    if (address instanceof UnixDomainSocketAddress unix) {
      if (Files.exists(unix.getPath())) {
        throw new IOException("nbd socket " + unix.getPath() + " already exists; remove it or "
            + "choose another path");
      }
      ch = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
    } else {
      ch = ServerSocketChannel.open();
      ch.socket().setReuseAddress(true);
    }
    try {
      ch.bind(address);
    } catch (java.net.BindException e) {
      ch.close();
      throw e;
    } catch (IOException e) {
      ch.close();
      throw new IOException("nbd: cannot listen on " + address + ": " + e.getMessage(), e);
    }
    NbdServer server = new NbdServer(ch, new NbdExport(device, exportName, readOnly),
        maxInFlight);
    server.acceptor.start();
    log.info("nbd: exporting {} as '{}' on {}{}", device.describe(), exportName, server.address,
        readOnly ? " (read-only)" : "");
    return server;
  }

  /** The bound address (the real port when started on port 0). */
  public SocketAddress address() {
    return address;
  }

  /**
   * Like {@link #start}, but the server owns {@code device}: {@link #close()} closes it too (the
   * agent's shared-device handle, released when the export ends).
   */
  public static NbdServer startOwning(BlockDevice device, SocketAddress address,
      String exportName, boolean readOnly) throws IOException {
    NbdServer server;
    try {
      server = start(device, address, exportName, readOnly);
    } catch (IOException | RuntimeException e) {
      device.close();
      throw e;
    }
    server.owned = device;
    return server;
  }

  /** Clients connected now. */
  public int connectionCount() {
    return connections.size();
  }

  /** A URI qemu-img and nbdinfo accept for this export. */
  public String uri() {
    if (address instanceof UnixDomainSocketAddress unix) {
      return "nbd+unix:///" + export.name() + "?socket=" + unix.getPath();
    }
    InetSocketAddress inet = (InetSocketAddress) address;
    return "nbd://" + inet.getHostString() + ":" + inet.getPort() + "/" + export.name();
  }

  private void acceptLoop() {
    while (!closed) {
      try {
        SocketChannel client = listener.accept();
        connections.add(client);
        Thread t = new Thread(() -> serve(client), "nbd-conn-" + export.name());
        t.setDaemon(true);
        t.start();
      } catch (ClosedChannelException e) {
        return;
      } catch (IOException e) {
        if (!closed) {
          log.warn("nbd: accept failed on {}: {}", address, e.getMessage());
        }
      }
    }
  }

  private void serve(SocketChannel client) {
    try (client) {
      NbdWire wire = new NbdWire(client);
      NbdHandshake.Session session = new NbdHandshake(wire, export).run();
      if (session != null) {
        new NbdTransmission(wire, export, session, maxInFlight).run();
      }
    } catch (EOFException | ClosedChannelException e) {
      log.debug("nbd: client left: {}", e.getMessage());
    } catch (NbdProtocolException e) {
      log.warn("nbd: dropping a client of '{}': {}", export.name(), e.getMessage());
    } catch (IOException e) {
      log.debug("nbd: connection to '{}' ended: {}", export.name(), e.toString());
    } catch (RuntimeException e) {
      log.warn("nbd: connection to '{}' failed", export.name(), e);
    } finally {
      connections.remove(client);
    }
  }

  /** Stops listening and drops every connection. Idempotent; the device stays open. */
  @Override
  public void close() throws IOException {
    if (closed) {
      return;
    }
    closed = true;
    listener.close();
    for (SocketChannel c : connections) {
      try {
        c.close();
      } catch (IOException e) {
        log.debug("nbd: closing a connection: {}", e.getMessage());
      }
    }
    try {
      acceptor.join(2000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    if (address instanceof UnixDomainSocketAddress unix) {
      Files.deleteIfExists(unix.getPath());
    }
    closeOwned();
    log.info("nbd: export '{}' on {} closed", export.name(), address);
  }

  private void closeOwned() throws IOException {
    if (owned instanceof java.io.Closeable c) {
      c.close();
    }
  }
}
