package io.ferry.cli;

import io.ferry.error.FerryException;
import io.ferry.server.StatusMapper;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.io.PrintWriter;
import javax.net.ssl.SSLException;

/** Turns any failure into the CLI's ONE line on stderr ("ferry: ...") and its exit code. */
final class ErrorReporter {

  private ErrorReporter() {}

  static int report(Throwable t, String agent, PrintWriter err) {
    int code;
    String line;
    if (t instanceof CliException ce) {
      code = ce.exitCode();
      line = ce.getMessage();
    } else if (t instanceof StatusRuntimeException sre) {
      code = ExitCodes.of(sre.getStatus().getCode());
      line = describe(sre.getStatus(), agent);
    } else if (t instanceof FerryException fe) {
      code = ExitCodes.of(StatusMapper.code(fe.reason()));
      line = fe.getMessage();
    } else if (t instanceof IllegalArgumentException) {
      code = ExitCodes.USAGE;
      line = t.getMessage();
    } else {
      code = ExitCodes.INTERNAL;
      line = "unexpected error: " + t + "; please report it";
    }
    err.println("ferry: " + oneLine(line));
    err.flush();
    return code;
  }

  static String describe(Status status, String agent) {
    String d = status.getDescription() == null ? "" : status.getDescription();
    switch (status.getCode()) {
      case UNAVAILABLE -> {
        if (causedBy(status.getCause(), SSLException.class)) {
          return "TLS with the agent at " + agent + " failed (" + rootMessage(status.getCause())
              + "); check --cert, --key and --ca, and that the agent trusts your certificate";
        }
        String why = status.getCause() != null ? rootMessage(status.getCause())
            : d.isEmpty() ? "unavailable" : d;
        return "cannot reach the agent at " + agent + " (" + why
            + "); is it running? check --agent and the TLS options";
      }
      case DEADLINE_EXCEEDED -> {
        return "the agent at " + agent + " did not answer in time (" + d + "); retry later";
      }
      case UNAUTHENTICATED, PERMISSION_DENIED -> {
        return "the agent refused this client: " + d;
      }
      default -> {
        return d.isEmpty() ? status.getCode().name().toLowerCase() : d;
      }
    }
  }

  private static boolean causedBy(Throwable t, Class<? extends Throwable> type) {
    for (Throwable c = t; c != null; c = c.getCause()) {
      if (type.isInstance(c)) {
        return true;
      }
    }
    return false;
  }

  private static String rootMessage(Throwable t) {
    Throwable c = t;
    while (c.getCause() != null) {
      c = c.getCause();
    }
    return c.getMessage() == null ? c.getClass().getSimpleName() : c.getMessage();
  }

  private static String oneLine(String s) {
    return s == null ? "failed" : s.replaceAll("\\s*\\R\\s*", "; ");
  }
}
