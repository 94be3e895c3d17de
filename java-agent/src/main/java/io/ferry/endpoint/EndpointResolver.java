package io.ferry.endpoint;

import io.ferry.device.BlockDevice;
import io.ferry.proto.v1.CopyOptions;
import io.ferry.proto.v1.Endpoint;
import java.io.IOException;

/**
 * Turns the API's endpoints into devices: resolves file paths under the configured roots (refusing
 * any escape), RBD images on the configured clusters, and format codecs on top of them. One
 * implementation per agent, built from its config; backends register with it.
 *
 * <p>Errors are {@link io.ferry.error.FerryException}s whose message names the endpoint field.
 */
public interface EndpointResolver {

  /**
   * Opens an existing endpoint. Sources are opened through the agent's shared registry, so that
   * writes other clients make through the agent (NBD export, tests' writers) pass the same
   * {@link io.ferry.device.WriteTap} the job's change feed listens to.
   */
  BlockDevice open(Endpoint endpoint, boolean readOnly) throws IOException;

  /**
   * Creates a destination of {@code size} bytes that stays invisible under its final name until
   * {@link Destination#commit()} (e.g. a temporary file renamed at commit). Fails with
   * ALREADY_EXISTS if the final name exists.
   */
  Destination create(Endpoint endpoint, long size, CopyOptions options) throws IOException;

  /**
   * Like {@link #create(Endpoint, long, CopyOptions)} for a copy from {@code source}: an RBD
   * destination's layout fields left at 0 / empty follow an RBD source's image.
   */
  default Destination create(Endpoint endpoint, long size, CopyOptions options, Endpoint source)
      throws IOException {
    return create(endpoint, size, options);
  }

  /**
   * copy_snapshots: carries {@code source}'s snapshots, oldest first, to {@code destination} (one
   * the job created), before the head is copied; resumable. Returns the newest carried
   * snapshot's name, or null when the source has none. INVALID_ARGUMENT where unsupported.
   */
  default String copySnapshots(Endpoint source, Destination destination,
      io.ferry.copy.Throttle throttle, SnapshotListener listener)
      throws IOException, InterruptedException {
    throw io.ferry.error.FerryException.invalid("options.copy_snapshots",
        "is only supported from an RBD image to an RBD image");
  }

  /**
   * Re-opens a destination this agent created and had not committed when it stopped, so that a
   * job resumes into it. NOT_FOUND if it is gone.
   */
  Destination reopen(Endpoint endpoint, CopyOptions options) throws IOException;

  /** Opens an existing destination to write into (create_destination false). */
  Destination existing(Endpoint endpoint, long minSize) throws IOException;

  /** A short description of the endpoint for logs and errors, without secrets. */
  String describe(Endpoint endpoint);

  /**
   * Like {@link #open(Endpoint, boolean)}, with errors naming {@code field} (the request field the
   * endpoint came from: "source", "a", "b").
   */
  default BlockDevice open(Endpoint endpoint, boolean readOnly, String field) throws IOException {
    return open(endpoint, readOnly);
  }

  /**
   * Checks, creating nothing, that a copy of {@code size} bytes may go to {@code endpoint} with
   * these options: ALREADY_EXISTS (create_destination and it exists), NOT_FOUND (it must exist and
   * does not), FAILED_PRECONDITION (too small), INVALID_ARGUMENT (bad name or format).
   */
  default void checkDestination(Endpoint endpoint, long size, CopyOptions options)
      throws IOException {}

  /**
   * Deletes an existing endpoint: a job's source, only after its destination was committed and
   * only when the request asked for it (delete_source).
   */
  default void delete(Endpoint endpoint) throws IOException {
    throw new io.ferry.error.FerryException(io.ferry.error.Reason.UNIMPLEMENTED,
        "deleting " + describe(endpoint) + " is not supported by this agent");
  }
}
