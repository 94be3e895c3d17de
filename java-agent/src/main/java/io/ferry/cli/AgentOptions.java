package io.ferry.cli;

import io.ferry.cloud.AgentJobs;
import java.util.List;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * The Ferry agents a cloud command may ask about jobs (progress, live jobs before a repair),
 * with the TLS options of the agent commands. Without --agents, none is asked.
 */
final class AgentOptions {

  @Option(names = "--agents", paramLabel = "HOST:PORT[,HOST:PORT...]", split = ",",
      defaultValue = "${env:FERRY_AGENTS}",
      description = "Agents to ask for the jobs of a volume (label volume_id); default:"
          + " $FERRY_AGENTS, else none.")
  List<String> agents;

  @Mixin ConnectionOptions tls;

  AgentJobs jobs() {
    if (agents == null || agents.isEmpty()) {
      return AgentJobs.NONE;
    }
    return new GrpcAgentJobs(agents, tls);
  }
}
