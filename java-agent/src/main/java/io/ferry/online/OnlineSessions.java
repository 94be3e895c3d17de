package io.ferry.online;

import io.ferry.copy.ChangeFeed;
import io.ferry.device.BlockDevice;
import io.ferry.error.FerryException;
import io.ferry.export.ExportManager;
import io.ferry.job.OnlineConversions;
import io.ferry.proto.v1.CopyOptions;
import io.ferry.proto.v1.DiskFormat;
import io.ferry.proto.v1.Endpoint;
import io.ferry.proto.v1.Job;
import io.ferry.proto.v1.StartCopyRequest;
import io.ferry.proto.v1.NbdExportInfo;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The agent's online conversions: each job's region map lives in {@code mapDir/<job id>.map},
 * its export in the {@link ExportManager} (pinned while the job runs).
 */
public final class OnlineSessions implements OnlineConversions {

  private static final Logger log = LoggerFactory.getLogger(OnlineSessions.class);
  /** Unit of conversion on demand and of the map: small enough for a quick first touch. */
  public static final long DEFAULT_REGION = 256 * 1024;

  private final ExportManager exports;
  private final Path mapDir;
  private final long regionSize;

  public OnlineSessions(ExportManager exports, Path mapDir) {
    this(exports, mapDir, DEFAULT_REGION);
  }

  public OnlineSessions(ExportManager exports, Path mapDir, long regionSize) {
    this.exports = exports;
    this.mapDir = mapDir;
    this.regionSize = regionSize;
  }

  @Override
  public void check(StartCopyRequest r) {
    CopyOptions o = r.getOptions();
    if (r.getSource().hasRbd() && r.getSource().getRbd().getSnapshot().isEmpty()) {
      throw FerryException.invalid("source.rbd.snapshot", "required with options.online: the "
          + "source must not change while it is converted on demand; give a snapshot");
    }
    exports.checkAddress(o.getOnlineExport(), "options.online_export");
  }

  @Override
  public Session open(Job job, BlockDevice source, BlockDevice destination) throws IOException {
    RegionMapFile file = new RegionMapFile(mapDir.resolve(job.getId() + ".map"));
    long size = source.size();
    RegionMap map = file.exists() ? file.load(size) : new RegionMap(size, regionSize);
    if (destination.size() < size) {
      throw FerryException.precondition("destination holds " + destination.size()
          + " bytes, less than the source's " + size);
    }
    Converter core = new Converter(source, destination, map, file);
    SessionImpl s = new SessionImpl(job.getId(), core, file);
    OnlineDevice device = new OnlineDevice(core, destination.describe() + " (online)",
        s::exportClosed);
    CopyOptions o = job.getCopyOptions();
    NbdExportInfo info = exports.startForJob(job.getId(), job.getDestination(), device,
        o.getOnlineExport(), o.getOnlineExportName());
    s.export = info;
    log.info("online conversion {}: {} of {} regions done, {} written by clients; serving {}",
        job.getId(), map.doneCount(), map.count(), map.writtenCount(), info.getUri());
    return s;
  }

  @Override
  public boolean serving(String jobId) {
    return exports.servesJob(jobId);
  }

  @Override
  public Optional<NbdExportInfo> restore(Job job) throws IOException {
    ServedExportFile file = new ServedExportFile(mapDir, job.getId());
    Optional<ServedExportFile.Served> served = file.read();
    if (served.isEmpty()) {
      return Optional.empty();
    }
    ServedExportFile.Served s = served.get();
    NbdExportInfo info = exports.restoreForJob(s.id(), job.getId(), written(job), s.address(),
        s.exportName());
    exports.whenStopped(info.getId(), () -> forget(file));
    log.info("online conversion {}: export {} restored at {}", job.getId(), info.getId(),
        info.getUri());
    return Optional.of(info);
  }

  @Override
  public void discard(String jobId) throws IOException {
    new RegionMapFile(mapDir.resolve(jobId + ".map")).delete();
    new ServedExportFile(mapDir, jobId).delete();
  }

  /**
   * The destination in the format the job wrote it: never probed, as clients wrote into it
   * (a raw disk whose first bytes a guest made look like qcow2 must stay raw).
   */
  private static Endpoint written(Job job) {
    Endpoint d = job.getDestination();
    if (!d.hasFile() || d.getFile().getFormat() != DiskFormat.DISK_FORMAT_UNSPECIFIED) {
      return d;
    }
    DiskFormat f = job.getCopyOptions().getDestinationFormat();
    if (f == DiskFormat.DISK_FORMAT_UNSPECIFIED) {
      f = DiskFormat.RAW;
    }
    return d.toBuilder().setFile(d.getFile().toBuilder().setFormat(f)).build();
  }

  /** An operator stopped the export: the next start does not serve it again. */
  private static void forget(ServedExportFile file) {
    try {
      file.delete();
    } catch (IOException e) {
      log.warn("cannot delete {} ({}); the next agent start serves that export again", file.path(),
          e.getMessage());
    }
  }

  private final class SessionImpl implements Session {
    private final String jobId;
    private final Converter core;
    private final RegionMapFile file;
    private final HeldSourceFeed feed;
    private final EngineView view;
    private volatile NbdExportInfo export;
    private volatile boolean kept;
    private boolean closed;

    SessionImpl(String jobId, Converter core, RegionMapFile file) {
      this.jobId = jobId;
      this.core = core;
      this.file = file;
      this.feed = new HeldSourceFeed(core.source());
      this.view = new EngineView(core);
    }

    @Override
    public BlockDevice engineDestination() {
      return view;
    }

    @Override
    public ChangeFeed feed() {
      return feed;
    }

    @Override
    public String exportId() {
      return export.getId();
    }

    @Override
    public String uri() {
      return export.getUri();
    }

    @Override
    public void completed() throws IOException {
      core.map().completeAll();
      core.flushAndSave();
      log.info("online conversion {}: complete ({} regions converted on demand, {} written by "
          + "clients)", jobId, core.regionsOnDemand.get(), core.map().writtenCount());
    }

    @Override
    public synchronized void keep() {
      kept = true;
      closed = true;
      ServedExportFile served = new ServedExportFile(mapDir, jobId);
      try {
        served.write(export); // so that the next agent start serves it again
      } catch (IOException | RuntimeException e) {
        log.warn("online conversion {}: cannot record its export in {} ({}); it is not served "
            + "again after an agent restart", jobId, served.path(), e.getMessage());
      }
      // the hook first: a StopExport right after the unpin must forget the record too
      exports.whenStopped(export.getId(), () -> forget(served));
      exports.unpin(export.getId());
    }

    @Override
    public synchronized void close() {
      if (closed) {
        return;
      }
      closed = true;
      if (export != null) {
        exports.stopForJob(export.getId());
      }
    }

    /** The export stopped: save the map; after the commit the destination is ours to close. */
    void exportClosed() throws IOException {
      try {
        core.flushAndSave();
      } catch (IOException | RuntimeException e) {
        log.warn("online conversion {}: saving the region map at export stop failed: {}", jobId,
            e.getMessage());
      }
      if (kept) {
        core.destination().close();
        file.delete(); // complete: nothing left to remember
      }
    }
  }
}
