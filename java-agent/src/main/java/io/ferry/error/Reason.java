package io.ferry.error;

/**
 * Why an operation failed, in the terms the API reports. The server maps each to the gRPC status
 * code of the same name in one place ({@code server.StatusMapper}).
 */
public enum Reason {
  /** The request is malformed: a field is missing, out of range or inconsistent. */
  INVALID_ARGUMENT,
  /** A named thing (job, image, pool, file, cluster) does not exist. */
  NOT_FOUND,
  /** The thing to create exists already (or a request id was reused for another request). */
  ALREADY_EXISTS,
  /** The system is not in a state that allows the operation (e.g. a verb the job state refuses). */
  FAILED_PRECONDITION,
  /** A budget or quota is exhausted (space, queue length, memory limit for a table). */
  RESOURCE_EXHAUSTED,
  /** A backend is unreachable or timed out; retrying later may work. */
  UNAVAILABLE,
  /** Data differs where it must not (verification failed) or is corrupt. */
  DATA_LOSS,
  /** Authentication failed (e.g. wrong cephx credentials). */
  PERMISSION_DENIED,
  /** The operation was cancelled. */
  CANCELLED,
  /** Not implemented on this agent. */
  UNIMPLEMENTED,
  /** A bug or an unexpected condition. */
  INTERNAL
}
