package io.ferry;

import io.ferry.config.AgentConfig;
import io.ferry.endpoint.FileRoots;
import io.ferry.error.FerryException;
import io.ferry.export.ExportManager;
import io.ferry.online.OnlineSessions;
import io.ferry.virt.Hypervisor;
import io.ferry.virt.LibvirtSocket;
import io.ferry.virt.LiveMirrorService;
import io.ferry.virt.MirrorDestinations;
import io.ferry.virt.VirtBlockJobHook;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import io.ferry.endpoint.DefaultEndpointResolver;
import io.ferry.endpoint.FormatRegistry;
import io.ferry.endpoint.ImageFileCodec;
import io.ferry.endpoint.RbdBackend;
import io.ferry.endpoint.RawFileCodec;
import io.ferry.job.JobManager;
import io.ferry.job.JobManagerConfig;
import io.ferry.job.StandardParts;
import io.ferry.metrics.JobMetrics;
import io.ferry.proto.v1.DiskFormat;
import io.ferry.proto.v1.Endpoint;
import io.ferry.server.CapabilitiesProvider;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/** Where the agent's real layers are put together (the one place that knows their classes). */
final class AgentWiring {
  private static final java.time.Duration RBD_CONNECT_TIMEOUT = java.time.Duration.ofSeconds(30);

  private static final Logger log = LoggerFactory.getLogger(AgentWiring.class);

  private AgentWiring() {}

  /** Config -> formats -> endpoint resolver -> JobManager (which resumes journaled jobs). */
  static Agent.Layers realLayers(AgentConfig config, JobMetrics.Factory metrics)
      throws IOException {
    FormatRegistry formats = ImageFileCodec.registerAll(RawFileCodec.registry());
    DefaultEndpointResolver resolver = new DefaultEndpointResolver(config.roots(), formats);
    // RBD: clusters connect on first use (an unreachable one fails its jobs, not the agent).
    RbdBackend rbd = RbdBackend.fromConfig(config.clusters(), RBD_CONNECT_TIMEOUT);
    resolver.register(Endpoint.KindCase.RBD, rbd);
    ExportManager exports = new ExportManager(config.journalDir().resolve("nbd"),
        resolver::open);
    JobManager manager = new JobManager(jobConfig(config), resolver, StandardParts.create(rbd),
        io.ferry.job.JobHooks.NONE, java.time.Clock.systemUTC(),
        new OnlineSessions(exports, config.journalDir().resolve("online")));
    JobMetrics jobMetrics = metrics.create(manager);
    manager.addObserver(jobMetrics.observer());
    List<DiskFormat> known = new ArrayList<>(formats.formats());
    return new Agent.Layers(manager, jobMetrics,
        new CapabilitiesProvider.Formats(known, known), resolver, virt(config, manager), exports);
  }

  /**
   * Live mirrors and block-job supervision when libvirt answers at the configured URI; without
   * it the agent still copies, and those calls answer UNIMPLEMENTED saying why.
   */
  static Agent.Virt virt(AgentConfig config, JobManager manager) {
    String uri = config.libvirtUri();
    if (!LibvirtSocket.present(uri)) {
      log.info("libvirt: no daemon socket for {}; live mirrors are off", uri);
      return Agent.Virt.NONE;
    }
    Hypervisor hv;
    try {
      hv = Hypervisor.connect(uri);
    } catch (FerryException e) {
      log.warn("libvirt: {}; live mirrors are off", e.getMessage());
      return Agent.Virt.NONE;
    }
    LiveMirrorService mirrors = new LiveMirrorService(hv);
    manager.enableLiveMirrors(mirrors,
        new MirrorDestinations(config.clusters(), new FileRoots(config.roots())));
    log.info("libvirt: connected to {}; live mirrors are on", uri);
    return new Agent.Virt(true, true, new VirtBlockJobHook(mirrors));
  }

  static JobManagerConfig jobConfig(AgentConfig c) {
    JobManagerConfig d = JobManagerConfig.defaults(c.journalDir());
    return new JobManagerConfig(c.journalDir(), c.budgets().maxConcurrentJobs(),
        c.budgets().totalBandwidth(), c.copyDefaults().chunkSize(),
        c.copyDefaults().parallelism(), d.maxMergePasses(), d.checkpointInterval(),
        c.keepFinishedJobs(), JobManagerConfig.DEFAULT_PURGE_EVERY);
  }
}
