package io.ferry.cli;

import io.grpc.Status;

/**
 * The CLI's exit codes: one per kind of failure, so scripts can tell them apart. Listed in
 * {@code ferry --help} ({@link #HELP}).
 */
final class ExitCodes {
  static final int OK = 0;
  static final int INTERNAL = 1;
  static final int USAGE = 2;
  static final int INVALID_ARGUMENT = 3;
  static final int NOT_FOUND = 4;
  static final int ALREADY_EXISTS = 5;
  static final int FAILED_PRECONDITION = 6;
  static final int RESOURCE_EXHAUSTED = 7;
  static final int UNAVAILABLE = 8;
  static final int DATA_LOSS = 9;
  static final int DENIED = 10;
  static final int UNIMPLEMENTED = 11;
  static final int CANCELLED = 12;

  static final String[] HELP = {
    "Exit codes:",
    "  0   success (verify: the endpoints are equal)",
    "  1   internal error in the agent or the CLI",
    "  2   usage error (bad option, endpoint syntax, missing certificate)",
    "  3   the agent refused the request as invalid (INVALID_ARGUMENT)",
    "  4   a job, file, image, root or cluster does not exist (NOT_FOUND)",
    "  5   it exists already, or the request id was used for another request (ALREADY_EXISTS)",
    "  6   not allowed in the current state (FAILED_PRECONDITION)",
    "  7   a budget or quota is exhausted (RESOURCE_EXHAUSTED)",
    "  8   the agent or a backend is unreachable, or timed out (UNAVAILABLE)",
    "  9   data differs or is corrupt (DATA_LOSS; verify: the endpoints differ)",
    "  10  not authenticated or not allowed (UNAUTHENTICATED, PERMISSION_DENIED)",
    "  11  not implemented by this agent (UNIMPLEMENTED)",
    "  12  the job was cancelled (CANCELLED)",
  };

  private ExitCodes() {}

  static int of(Status.Code code) {
    return switch (code) {
      case OK -> OK;
      case INVALID_ARGUMENT, OUT_OF_RANGE -> INVALID_ARGUMENT;
      case NOT_FOUND -> NOT_FOUND;
      case ALREADY_EXISTS -> ALREADY_EXISTS;
      case FAILED_PRECONDITION, ABORTED -> FAILED_PRECONDITION;
      case RESOURCE_EXHAUSTED -> RESOURCE_EXHAUSTED;
      case UNAVAILABLE, DEADLINE_EXCEEDED -> UNAVAILABLE;
      case DATA_LOSS -> DATA_LOSS;
      case PERMISSION_DENIED, UNAUTHENTICATED -> DENIED;
      case UNIMPLEMENTED -> UNIMPLEMENTED;
      case CANCELLED -> CANCELLED;
      case UNKNOWN, INTERNAL -> INTERNAL;
    };
  }

  /** The exit code of a job's error code name (e.g. "DATA_LOSS"); INTERNAL when unknown. */
  static int ofName(String codeName) {
    try {
      return of(Status.Code.valueOf(codeName));
    } catch (IllegalArgumentException | NullPointerException e) {
      return INTERNAL;
    }
  }
}
