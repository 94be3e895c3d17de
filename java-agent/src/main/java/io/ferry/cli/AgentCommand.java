package io.ferry.cli;

import io.ferry.Agent;
import io.ferry.config.AgentConfig;
import io.ferry.config.ConfigLoader;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

@Command(name = "agent",
    description = "Run the agent daemon until SIGTERM/SIGINT (then jobs stop at a checkpoint "
        + "and resume on the next start).")
final class AgentCommand implements Callable<Integer> {

  @ParentCommand FerryCli cli;

  @Option(names = "--config", required = true, paramLabel = "FILE",
      description = "The agent's YAML config (see ferry-agent.example.yaml in the jar).")
  Path config;

  @Override
  public Integer call() throws Exception {
    FerryCli.agentLogging();
    AgentConfig c = ConfigLoader.load(config);
    Agent agent = Agent.start(c);
    Thread hook = new Thread(agent::close, "shutdown");
    Runtime.getRuntime().addShutdownHook(hook);
    agent.awaitTermination();
    return ExitCodes.OK;
  }
}
