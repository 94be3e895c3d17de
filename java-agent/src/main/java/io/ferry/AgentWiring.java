package io.ferry;

import io.ferry.config.AgentConfig;
import io.ferry.error.FerryException;
import io.ferry.error.Reason;
import io.ferry.job.JobService;
import io.ferry.metrics.Metrics;
import io.ferry.server.CapabilitiesProvider;

/** Where the agent's real layers are put together (the one place that knows their classes). */
final class AgentWiring {
  private AgentWiring() {}

  static JobService jobLayer(AgentConfig config, Metrics metrics) {
    throw new FerryException(Reason.UNIMPLEMENTED,
        "this build has no job layer yet (JobManager); update Ferry");
  }

  static CapabilitiesProvider.Formats formats() {
    return CapabilitiesProvider.Formats.rawOnly();
  }
}
