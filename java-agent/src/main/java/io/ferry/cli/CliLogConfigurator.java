package io.ferry.cli;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.Configurator;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.LayoutBase;
import ch.qos.logback.core.encoder.LayoutWrappingEncoder;
import ch.qos.logback.core.spi.ContextAwareBase;
import org.slf4j.Logger;

/**
 * Logging of a client command (found by logback through {@link java.util.ServiceLoader}):
 * warnings only, one plain line each on stderr, set up in code. Parsing logback.xml and its
 * pattern takes a short-lived CLI JVM about 0.2 s, a sixth of a {@code ferry copy --wait} of a
 * small disk; the client prints nothing at INFO anyway. The agent (and every JVM that did not ask
 * for this through {@link #PROPERTY}) gets logback.xml as before.
 */
public final class CliLogConfigurator extends ContextAwareBase implements Configurator {

  /** Set to "client" by {@link FerryCli#main} before anything logs. */
  static final String PROPERTY = "ferry.logging";

  @Override
  public ExecutionStatus configure(LoggerContext context) {
    if (!"client".equals(System.getProperty(PROPERTY))) {
      return ExecutionStatus.INVOKE_NEXT_IF_ANY;
    }
    LayoutBase<ILoggingEvent> layout = new LayoutBase<>() {
      @Override
      public String doLayout(ILoggingEvent e) {
        return e.getLevel() + " " + e.getLoggerName() + " - " + e.getFormattedMessage() + "\n";
      }
    };
    layout.setContext(context);
    layout.start();
    LayoutWrappingEncoder<ILoggingEvent> encoder = new LayoutWrappingEncoder<>();
    encoder.setContext(context);
    encoder.setLayout(layout);
    encoder.start();
    ConsoleAppender<ILoggingEvent> console = new ConsoleAppender<>();
    console.setContext(context);
    console.setName("CONSOLE");
    console.setTarget("System.err");
    console.setEncoder(encoder);
    console.start();
    ch.qos.logback.classic.Logger root = context.getLogger(Logger.ROOT_LOGGER_NAME);
    root.setLevel(Level.WARN);
    root.addAppender(console);
    return ExecutionStatus.DO_NOT_INVOKE_NEXT_IF_ANY;
  }
}
