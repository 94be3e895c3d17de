package io.ferry.error;

/**
 * Ferry's one exception type that crosses layers: a {@link Reason} and a message that says what
 * went wrong and what to do. Native error codes and library exceptions are turned into these
 * where they are caught; the server turns these into gRPC status in one place.
 *
 * <p>Messages never contain secrets (keys, passwords, tokens).
 */
public class FerryException extends RuntimeException {

  private final Reason reason;

  public FerryException(Reason reason, String message) {
    super(message);
    this.reason = reason;
  }

  public FerryException(Reason reason, String message, Throwable cause) {
    super(message, cause);
    this.reason = reason;
  }

  public Reason reason() {
    return reason;
  }

  public static FerryException invalid(String field, String problem) {
    return new FerryException(Reason.INVALID_ARGUMENT, field + ": " + problem);
  }

  public static FerryException notFound(String what) {
    return new FerryException(Reason.NOT_FOUND, what);
  }

  public static FerryException precondition(String what) {
    return new FerryException(Reason.FAILED_PRECONDITION, what);
  }
}
