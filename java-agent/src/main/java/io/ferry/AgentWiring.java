package io.ferry;

import io.ferry.config.AgentConfig;
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

  private AgentWiring() {}

  /** Config -> formats -> endpoint resolver -> JobManager (which resumes journaled jobs). */
  static Agent.Layers realLayers(AgentConfig config, JobMetrics.Factory metrics)
      throws IOException {
    FormatRegistry formats = ImageFileCodec.registerAll(RawFileCodec.registry());
    DefaultEndpointResolver resolver = new DefaultEndpointResolver(config.roots(), formats);
    // RBD: clusters connect on first use (an unreachable one fails its jobs, not the agent).
    RbdBackend rbd = RbdBackend.fromConfig(config.clusters(), RBD_CONNECT_TIMEOUT);
    resolver.register(Endpoint.KindCase.RBD, rbd);
    JobManager manager = new JobManager(jobConfig(config), resolver, StandardParts.create(rbd));
    JobMetrics jobMetrics = metrics.create(manager);
    manager.addObserver(jobMetrics.observer());
    List<DiskFormat> known = new ArrayList<>(formats.formats());
    return new Agent.Layers(manager, jobMetrics,
        new CapabilitiesProvider.Formats(known, known), resolver);
  }

  static JobManagerConfig jobConfig(AgentConfig c) {
    JobManagerConfig d = JobManagerConfig.defaults(c.journalDir());
    return new JobManagerConfig(c.journalDir(), c.budgets().maxConcurrentJobs(),
        c.budgets().totalBandwidth(), c.copyDefaults().chunkSize(),
        c.copyDefaults().parallelism(), d.maxMergePasses(), d.checkpointInterval());
  }
}
