package io.ferry.export;

import io.ferry.device.BlockDevice;
import io.ferry.error.FerryException;
import io.ferry.error.Reason;
import io.ferry.nbd.NbdServer;
import io.ferry.proto.v1.Endpoint;
import io.ferry.proto.v1.NbdAddress;
import io.ferry.proto.v1.NbdExportInfo;
import io.ferry.proto.v1.StartExportRequest;
import java.io.IOException;
import java.net.BindException;
import java.net.SocketAddress;
import java.net.UnixDomainSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The agent's NBD exports: those operators start ({@code ferry export}), and those of online
 * conversions, which stay pinned while their job runs. Each export serves a device handle of its
 * own and closes it when it stops; {@link #close()} (agent shutdown) stops them all.
 */
public final class ExportManager implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(ExportManager.class);
  private static final Pattern EXPORT_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");
  public static final String DEFAULT_NAME = "ferry";

  /** Opens an endpoint through the agent's shared devices. */
  @FunctionalInterface
  public interface Opener {
    BlockDevice open(Endpoint endpoint, boolean readOnly, String field) throws IOException;
  }

  private record Entry(String id, Endpoint endpoint, NbdServer server, boolean readOnly,
      String name, String jobId, boolean pinned) {
    Entry unpinned() {
      return new Entry(id, endpoint, server, readOnly, name, jobId, false);
    }
  }

  private final Path socketDir;
  private final Opener opener;
  private final Map<String, Entry> exports = new LinkedHashMap<>();
  /** Run when StopExport stops that export (not at agent shutdown, not when its job fails). */
  private final Map<String, Runnable> stopHooks = new LinkedHashMap<>();
  private boolean closed;

  /** @param socketDir where Unix sockets are made (created if missing) */
  public ExportManager(Path socketDir, Opener opener) {
    this.socketDir = socketDir;
    this.opener = opener;
  }

  public Path socketDir() {
    return socketDir;
  }

  /** StartExport: serves {@code endpoint} through a shared-device handle. */
  public NbdExportInfo start(StartExportRequest r) {
    if (r.getEndpoint().getKindCase() == Endpoint.KindCase.KIND_NOT_SET) {
      throw FerryException.invalid("endpoint", "required; set rbd or file");
    }
    String name = exportName(r.getExportName(), "export_name");
    SocketAddress address = ExportAddress.resolve(r.getAddress(), socketDir, "address");
    synchronized (this) {
      refuseIfClosed();
      prepare(address, "address");
      BlockDevice device;
      try {
        device = opener.open(r.getEndpoint(), r.getReadOnly(), "endpoint");
      } catch (IOException e) {
        throw new FerryException(Reason.UNAVAILABLE, "endpoint: cannot open it: "
            + e.getMessage() + "; check it exists and is reachable", e);
      }
      return add(newId(), r.getEndpoint(), device, address, name, r.getReadOnly(), "", false,
          "address");
    }
  }

  /**
   * Exports the destination of online conversion {@code jobId}; the export owns {@code device}
   * (closed when the export stops) and cannot be stopped by StopExport until {@link #unpin}.
   */
  public synchronized NbdExportInfo startForJob(String jobId, Endpoint endpoint,
      BlockDevice device, NbdAddress address, String exportName) {
    try {
      refuseIfClosed();
      String name = exportName(exportName, "options.online_export_name");
      SocketAddress sa = ExportAddress.resolve(address, socketDir, "options.online_export");
      prepare(sa, "options.online_export");
      return add(newId(), endpoint, device, sa, name, false, jobId, true,
          "options.online_export");
    } catch (RuntimeException e) {
      closeQuietly(device);
      throw e;
    }
  }

  /**
   * At agent start: serves again the destination of completed online conversion {@code jobId}
   * under its former id and bound address (not pinned: StopExport may stop it). The destination
   * is opened for writing, as the export served it before the restart. ALREADY_EXISTS when the
   * address can no longer be bound.
   */
  public synchronized NbdExportInfo restoreForJob(String id, String jobId, Endpoint endpoint,
      NbdAddress address, String exportName) {
    refuseIfClosed();
    if (exports.containsKey(id)) {
      throw new FerryException(Reason.ALREADY_EXISTS, "export " + id + " exists already");
    }
    String name = exportName(exportName, "options.online_export_name");
    SocketAddress sa = ExportAddress.resolve(address, socketDir, "options.online_export");
    prepare(sa, "options.online_export");
    BlockDevice device;
    try {
      device = opener.open(endpoint, false, "destination");
    } catch (IOException e) {
      throw new FerryException(Reason.UNAVAILABLE, "destination: cannot open it: "
          + e.getMessage() + "; check it exists and is reachable", e);
    }
    // add() closes the device when it cannot listen
    return add(id, endpoint, device, sa, name, false, jobId, false, "options.online_export");
  }

  /**
   * Runs {@code hook} once if StopExport stops export {@code exportId}; never at agent shutdown
   * or when the export's job ends without completing.
   */
  public synchronized void whenStopped(String exportId, Runnable hook) {
    if (exports.containsKey(exportId)) {
      stopHooks.put(exportId, hook);
    }
  }

  /**
   * Checks an address a job will export on later: its syntax, and that no export of this agent
   * uses it already (ALREADY_EXISTS).
   */
  public synchronized void checkAddress(NbdAddress address, String field) {
    SocketAddress sa = ExportAddress.resolve(address, socketDir, field);
    for (Entry e : exports.values()) {
      if (e.server().address().equals(sa)) {
        throw new FerryException(Reason.ALREADY_EXISTS, field + ": " + sa + " is used by "
            + "export " + e.id() + "; stop it first or choose another");
      }
    }
  }

  /** The job ended well: its export may now be stopped like any other. */
  public synchronized void unpin(String exportId) {
    Entry e = exports.get(exportId);
    if (e != null) {
      exports.put(exportId, e.unpinned());
    }
  }

  /** StopExport. */
  public synchronized NbdExportInfo stop(String id) {
    Entry e = exports.get(id);
    if (e == null) {
      throw FerryException.notFound("export_id: no export '" + id + "' on this agent; "
          + "see ListExports");
    }
    if (e.pinned()) {
      throw FerryException.precondition("export " + id + " serves online conversion job "
          + e.jobId() + ", which is still running; cancel the job or wait for it to complete");
    }
    Runnable hook = stopHooks.get(id);
    NbdExportInfo info = remove(e);
    if (hook != null) {
      try {
        hook.run();
      } catch (RuntimeException ex) {
        log.warn("export {}: after stopping: {}", id, ex.getMessage());
      }
    }
    return info;
  }

  /** Stops the export of a job that is ending (failure, cancel, shutdown). */
  public synchronized void stopForJob(String exportId) {
    Entry e = exports.get(exportId);
    if (e != null) {
      remove(e);
    }
  }

  /** True while an export serves the destination of job {@code jobId}. */
  public synchronized boolean servesJob(String jobId) {
    return !jobId.isEmpty() && exports.values().stream().anyMatch(e -> e.jobId().equals(jobId));
  }

  public synchronized List<NbdExportInfo> list() {
    List<NbdExportInfo> out = new ArrayList<>();
    for (Entry e : exports.values()) {
      out.add(info(e));
    }
    return out;
  }

  /** Stops every export (agent shutdown): clients are disconnected, sockets removed. */
  @Override
  public synchronized void close() {
    closed = true;
    for (Entry e : new ArrayList<>(exports.values())) {
      remove(e);
    }
  }

  private static String newId() {
    return "nbd-" + UUID.randomUUID().toString().substring(0, 8);
  }

  private NbdExportInfo add(String id, Endpoint endpoint, BlockDevice device,
      SocketAddress address, String name, boolean readOnly, String jobId, boolean pinned,
      String field) {
    NbdServer server;
    try {
      server = NbdServer.startOwning(device, address, name, readOnly);
    } catch (BindException e) {
      throw new FerryException(Reason.ALREADY_EXISTS, field + ": " + address + " is in use ("
          + e.getMessage() + "); choose another port or socket name", e);
    } catch (IOException e) {
      if (e.getCause() instanceof BindException) {
        throw new FerryException(Reason.ALREADY_EXISTS, field + ": " + address + " is in use; "
            + "choose another port or socket name", e);
      }
      throw new FerryException(Reason.UNAVAILABLE, field + ": cannot listen on " + address + ": "
          + e.getMessage(), e);
    }
    Entry entry = new Entry(id, endpoint, server, readOnly, name, jobId, pinned);
    exports.put(id, entry);
    log.info("export {}: {} on {}{}", id, server.uri(), server.address(),
        jobId.isEmpty() ? "" : " (online conversion job " + jobId + ")");
    return info(entry);
  }

  private NbdExportInfo remove(Entry e) {
    exports.remove(e.id());
    stopHooks.remove(e.id());
    NbdExportInfo info = info(e);
    try {
      e.server().close();
    } catch (IOException ex) {
      log.warn("export {}: closing failed: {}", e.id(), ex.getMessage());
    }
    log.info("export {} stopped", e.id());
    return info;
  }

  /** Refuses an address one of our exports uses; makes the socket directory; clears stale files. */
  private void prepare(SocketAddress address, String field) {
    for (Entry e : exports.values()) {
      if (e.server().address().equals(address)) {
        throw new FerryException(Reason.ALREADY_EXISTS, field + ": " + address + " is used by "
            + "export " + e.id() + "; stop it first or choose another");
      }
    }
    if (address instanceof UnixDomainSocketAddress unix) {
      try {
        Files.createDirectories(socketDir);
        ExportAddress.clearStale(unix, field + ".unix_socket");
      } catch (IOException ex) {
        throw new FerryException(Reason.UNAVAILABLE, field + ": cannot prepare " + socketDir
            + ": " + ex.getMessage(), ex);
      }
    }
  }

  private static String exportName(String name, String field) {
    if (name.isEmpty()) {
      return DEFAULT_NAME;
    }
    if (!EXPORT_NAME.matcher(name).matches()) {
      throw FerryException.invalid(field, "'" + name + "' must be 1-64 letters, digits, '.', '_'"
          + " or '-'");
    }
    return name;
  }

  private static NbdExportInfo info(Entry e) {
    NbdServer s = e.server();
    NbdExportInfo.Builder b = NbdExportInfo.newBuilder().setId(e.id()).setEndpoint(e.endpoint())
        .setAddress(ExportAddress.describe(s.address())).setUri(s.uri()).setReadOnly(e.readOnly())
        .setExportName(e.name()).setJobId(e.jobId()).setConnections(s.connectionCount());
    if (s.address() instanceof UnixDomainSocketAddress u) {
      b.setSocketPath(u.getPath().toString());
    }
    return b.build();
  }

  private void refuseIfClosed() {
    if (closed) {
      throw new FerryException(Reason.UNAVAILABLE, "the agent is stopping; retry after it "
          + "restarted");
    }
  }

  private static void closeQuietly(BlockDevice d) {
    try {
      d.close();
    } catch (IOException e) {
      log.debug("close: {}", e.getMessage());
    }
  }
}
