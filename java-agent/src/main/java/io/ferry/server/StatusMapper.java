package io.ferry.server;

import io.ferry.error.FerryException;
import io.ferry.error.Reason;
import io.grpc.Status;
import io.grpc.StatusException;
import io.grpc.StatusRuntimeException;
import java.util.UUID;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one place where failures become gRPC status. A {@link FerryException} keeps its message
 * (it names the field and says what to do; it never holds secrets) under the code of its {@link
 * Reason}. Anything else is a bug: it is logged once here with an incident id, and the client gets
 * INTERNAL with that id and nothing of the exception's text (which may hold paths or secrets).
 */
public final class StatusMapper {

  private static final Logger log = LoggerFactory.getLogger(StatusMapper.class);

  private final Consumer<Status.Code> errorCounter;

  /** @param errorCounter told the code of every error returned (metrics); may ignore it */
  public StatusMapper(Consumer<Status.Code> errorCounter) {
    this.errorCounter = errorCounter;
  }

  public StatusMapper() {
    this(code -> {});
  }

  public StatusRuntimeException toStatus(Throwable t) {
    Status status = statusOf(t);
    errorCounter.accept(status.getCode());
    return status.asRuntimeException();
  }

  /** The status of a failure (without counting it). */
  public static Status statusOf(Throwable t) {
    if (t instanceof FerryException fe) {
      Status s = Status.fromCode(code(fe.reason())).withDescription(fe.getMessage());
      if (fe.reason() == Reason.INTERNAL) {
        log.error("internal error: {}", fe.getMessage(), fe);
      }
      return s;
    }
    if (t instanceof StatusRuntimeException sre) {
      return sre.getStatus();
    }
    if (t instanceof StatusException se) {
      return se.getStatus();
    }
    String incident = UUID.randomUUID().toString().substring(0, 8);
    log.error("internal error, incident {}", incident, t);
    return Status.INTERNAL.withDescription(
        "internal error in the agent (incident " + incident + "); see the agent's log and "
            + "report it");
  }

  /** The gRPC code of each reason: the code of the same name. */
  public static Status.Code code(Reason reason) {
    return switch (reason) {
      case INVALID_ARGUMENT -> Status.Code.INVALID_ARGUMENT;
      case NOT_FOUND -> Status.Code.NOT_FOUND;
      case ALREADY_EXISTS -> Status.Code.ALREADY_EXISTS;
      case FAILED_PRECONDITION -> Status.Code.FAILED_PRECONDITION;
      case RESOURCE_EXHAUSTED -> Status.Code.RESOURCE_EXHAUSTED;
      case UNAVAILABLE -> Status.Code.UNAVAILABLE;
      case DATA_LOSS -> Status.Code.DATA_LOSS;
      case PERMISSION_DENIED -> Status.Code.PERMISSION_DENIED;
      case CANCELLED -> Status.Code.CANCELLED;
      case UNIMPLEMENTED -> Status.Code.UNIMPLEMENTED;
      case INTERNAL -> Status.Code.INTERNAL;
    };
  }
}
