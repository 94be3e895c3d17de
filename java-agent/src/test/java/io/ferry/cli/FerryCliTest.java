package io.ferry.cli;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.Configurator;
import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;

/** The CLI's start-up shortcuts: one subcommand built when named; plain client logging. */
class FerryCliTest {

  private final FerryCli cli = new FerryCli(new PrintWriter(new StringWriter()), false, 5000);

  @Test
  void buildsOnlyTheNamedSubcommand() {
    assertThat(FerryCli.commandLine(cli, "copy").getSubcommands()).containsOnlyKeys("copy");
    assertThat(FerryCli.commandLine(cli, "convert").getSubcommands()).containsOnlyKeys("convert");
  }

  @Test
  void buildsEverySubcommandOtherwise() {
    for (String first : new String[] {"", "--help", "help", "nosuch"}) {
      assertThat(FerryCli.commandLine(cli, first).getSubcommands())
          .hasSize(FerryCli.COMMANDS.size()).containsKeys("copy", "agent", "convert", "help");
    }
  }

  @Test
  void helpOfOneCommandNamesItsOptions() {
    StringWriter out = new StringWriter();
    int rc = FerryCli.run(new String[] {"convert", "--help"}, new PrintWriter(out),
        new PrintWriter(new StringWriter()), false, 5000);
    assertThat(rc).isZero();
    assertThat(out.toString()).contains("Usage: ferry convert").contains("--online")
        .contains("--format").contains("--bandwidth").contains("--wait").contains("SRC");
  }

  @Test
  void clientLoggingIsWarningsOnlyWhenAsked() {
    LoggerContext ctx = new LoggerContext();
    CliLogConfigurator c = new CliLogConfigurator();
    c.setContext(ctx);
    String before = System.getProperty(CliLogConfigurator.PROPERTY);
    try {
      System.clearProperty(CliLogConfigurator.PROPERTY);
      assertThat(c.configure(ctx)).isEqualTo(Configurator.ExecutionStatus.INVOKE_NEXT_IF_ANY);
      System.setProperty(CliLogConfigurator.PROPERTY, "client");
      assertThat(c.configure(ctx))
          .isEqualTo(Configurator.ExecutionStatus.DO_NOT_INVOKE_NEXT_IF_ANY);
      ch.qos.logback.classic.Logger root = ctx.getLogger(Logger.ROOT_LOGGER_NAME);
      assertThat(root.getLevel()).isEqualTo(Level.WARN);
      assertThat(root.getAppender("CONSOLE")).isNotNull();
    } finally {
      if (before == null) {
        System.clearProperty(CliLogConfigurator.PROPERTY);
      } else {
        System.setProperty(CliLogConfigurator.PROPERTY, before);
      }
    }
  }
}
