package io.ferry.cli;

import ch.qos.logback.classic.Level;
import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code ferry} command: the agent daemon and its client commands. */
@Command(name = "ferry", mixinStandardHelpOptions = true,
    versionProvider = FerryCli.Version.class,
    description = "Moves volumes between Ceph pools, clusters and disk formats.",
    footer = {"", "Environment: FERRY_AGENT, FERRY_CERT, FERRY_KEY, FERRY_CA "
        + "(defaults of --agent, --cert, --key, --ca).", ""})
public final class FerryCli implements Callable<Integer> {

  /** The subcommands, in the order of the usage text. */
  static final List<Class<?>> COMMANDS = List.of(AgentCommand.class, CopyCommand.class,
      JobsCommand.class, JobCommand.class, WatchCommand.class, CancelCommand.class,
      PivotCommand.class, BandwidthCommand.class, VerifyCommand.class, CapsCommand.class,
      DemoCommand.class, CheckCommand.class, MigrateCommand.class, EvacuateCommand.class,
      RepairCommand.class, ExportCommand.class, ExportsCommand.class, UnexportCommand.class,
      ConvertCommand.class, CommandLine.HelpCommand.class);

  private final PrintWriter out;
  private final boolean tty;
  private final long progressIntervalMillis;
  /** The --agent of the running command, for error messages. */
  String agentForErrors = "the agent";

  public FerryCli(PrintWriter out, boolean tty, long progressIntervalMillis) {
    this.out = out;
    this.tty = tty;
    this.progressIntervalMillis = progressIntervalMillis;
  }

  public static void main(String[] args) {
    if (args.length == 0 || !List.of("agent", "demo").contains(args[0])) {
      System.setProperty(CliLogConfigurator.PROPERTY, "client"); // before logback starts
    }
    clientLogging();
    PrintWriter out = new PrintWriter(System.out, true);
    PrintWriter err = new PrintWriter(System.err, true);
    System.exit(run(args, out, err, System.console() != null, 5_000));
  }

  /** Runs one command line; returns the exit code (tests call this in-process). */
  public static int run(String[] args, PrintWriter out, PrintWriter err, boolean tty,
      long progressIntervalMillis) {
    FerryCli cli = new FerryCli(out, tty, progressIntervalMillis);
    CommandLine cl = commandLine(cli, args.length > 0 ? args[0] : "");
    cl.setOut(out).setErr(err);
    // Every command answers --help (the usage errors point there), not only those declaring it.
    cl.getSubcommands().values().forEach(sub -> sub.getCommandSpec().mixinStandardHelpOptions(true));
    cl.getHelpSectionMap().put("exitCodes", h -> String.join("\n", ExitCodes.HELP) + "\n");
    java.util.List<String> keys = new java.util.ArrayList<>(cl.getHelpSectionKeys());
    keys.add(keys.indexOf(CommandLine.Model.UsageMessageSpec.SECTION_KEY_FOOTER_HEADING),
        "exitCodes");
    cl.setHelpSectionKeys(keys);
    cl.setParameterExceptionHandler((ex, a) -> {
      String cmd = ex.getCommandLine().getCommandName();
      err.println("ferry: " + ex.getMessage().replaceAll("\\R", "; ")
          + " (see `ferry " + ("ferry".equals(cmd) ? "" : cmd + " ") + "--help`)");
      err.flush();
      return ExitCodes.USAGE;
    });
    cl.setExecutionExceptionHandler((ex, c, parsed) ->
        ErrorReporter.report(ex, cli.agentForErrors, err));
    return cl.execute(args);
  }

  /**
   * The command line of {@code cli}. When {@code first} names a subcommand other than help, only
   * that one is built: picocli reads every subcommand's annotations through reflection, which
   * costs a short CLI run about 0.2 s for all of them.
   */
  static CommandLine commandLine(FerryCli cli, String first) {
    CommandLine cl = new CommandLine(cli);
    List<Class<?>> wanted = COMMANDS.stream()
        .filter(c -> c != CommandLine.HelpCommand.class && nameOf(c).equals(first)).toList();
    for (Class<?> c : wanted.isEmpty() ? COMMANDS : wanted) {
      cl.addSubcommand(new CommandLine(c));
    }
    return cl;
  }

  private static String nameOf(Class<?> command) {
    Command c = command.getAnnotation(Command.class);
    return c == null ? "" : c.name();
  }

  @Override
  public Integer call() {
    commandLine(this, "").usage(out);
    return ExitCodes.USAGE;
  }

  PrintWriter out() {
    return out;
  }

  ProgressRenderer renderer() {
    return new ProgressRenderer(out, tty, progressIntervalMillis, System::currentTimeMillis);
  }

  /** Client commands log warnings only: their output is for people. */
  static void clientLogging() {
    setRootLevel(Level.WARN);
  }

  static void agentLogging() {
    setRootLevel(Level.INFO);
  }

  private static void setRootLevel(Level level) {
    if (LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME)
        instanceof ch.qos.logback.classic.Logger root) {
      root.setLevel(level);
    }
  }

  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      return new String[] {"ferry " + io.ferry.server.CapabilitiesProvider.version()};
    }
  }
}
