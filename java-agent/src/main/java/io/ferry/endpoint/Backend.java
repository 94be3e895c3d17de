package io.ferry.endpoint;

import io.ferry.device.BlockDevice;
import io.ferry.proto.v1.CopyOptions;
import io.ferry.proto.v1.Endpoint;
import java.io.IOException;

/**
 * What {@link DefaultEndpointResolver} needs from one kind of endpoint (file, RBD). One
 * implementation per {@link Endpoint.KindCase}; the resolver picks it by the endpoint's kind.
 *
 * <p>{@code field} is the request field the endpoint came from ("source", "destination", "a"):
 * every error message names it, e.g. {@code destination.file.path: escapes root 'default'}.
 */
public interface Backend {

  /**
   * The endpoint's canonical identity (e.g. "file:/real/path", "rbd:cluster/pool/ns/image"), so
   * that two spellings of one image share one open device in the {@link DeviceRegistry}.
   */
  String key(Endpoint endpoint, String field) throws IOException;

  /** Opens an existing endpoint directly (the resolver shares it through the registry). */
  BlockDevice open(Endpoint endpoint, String field, boolean readOnly) throws IOException;

  /**
   * Checks, creating nothing, that a copy of {@code size} bytes could go to this destination:
   * ALREADY_EXISTS if it must be created and exists, NOT_FOUND if it must exist and does not,
   * FAILED_PRECONDITION if it exists and is too small, INVALID_ARGUMENT for a bad name.
   */
  void checkDestination(Endpoint endpoint, String field, long size, CopyOptions options)
      throws IOException;

  /** See {@link EndpointResolver#create}. */
  Destination create(Endpoint endpoint, String field, long size, CopyOptions options)
      throws IOException;

  /**
   * Like {@link #create(Endpoint, String, long, CopyOptions)}, knowing the copy's source: layout
   * fields the caller left unset may follow it. By default the source is not looked at.
   */
  default Destination create(Endpoint endpoint, String field, long size, CopyOptions options,
      Endpoint source) throws IOException {
    return create(endpoint, field, size, options);
  }

  /** See {@link EndpointResolver#reopen}. */
  Destination reopen(Endpoint endpoint, String field, CopyOptions options) throws IOException;

  /** See {@link EndpointResolver#existing}. */
  Destination existing(Endpoint endpoint, String field, long minSize) throws IOException;

  /** Deletes an existing endpoint (a source, after its copy was committed). */
  void delete(Endpoint endpoint, String field) throws IOException;

  /** For logs and errors; never secrets. */
  String describe(Endpoint endpoint);
}
