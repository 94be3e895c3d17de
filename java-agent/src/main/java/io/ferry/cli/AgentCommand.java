package io.ferry.cli;

import io.ferry.Agent;
import io.ferry.config.AgentConfig;
import io.ferry.config.ConfigLoader;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import sun.misc.Signal;

@Command(name = "agent",
    description = "Run the agent daemon until SIGTERM/SIGINT (then jobs stop at a checkpoint "
        + "and resume on the next start; exit 0).")
final class AgentCommand implements Callable<Integer> {

  private static final Logger log = LoggerFactory.getLogger(AgentCommand.class);

  @ParentCommand FerryCli cli;

  @Option(names = "--config", required = true, paramLabel = "FILE",
      description = "The agent's YAML config (see ferry-agent.example.yaml in the jar).")
  Path config;

  @Override
  public Integer call() throws Exception {
    FerryCli.agentLogging();
    AgentConfig c = ConfigLoader.load(config);
    // SIGTERM/SIGINT: a clean stop that ends in exit 0 (a plain shutdown hook would exit 143).
    // Installed before the port opens, so that no signal finds the JVM's default handler.
    CountDownLatch stop = new CountDownLatch(1);
    for (String name : new String[] {"TERM", "INT"}) {
      Signal.handle(new Signal(name), s -> {
        log.info("SIG{} received", name);
        stop.countDown();
      });
    }
    Agent agent = Agent.start(c);
    // For other ways the JVM ends; close() is idempotent.
    Runtime.getRuntime().addShutdownHook(new Thread(agent::close, "shutdown-hook"));
    stop.await();
    agent.close();
    return ExitCodes.OK;
  }
}
