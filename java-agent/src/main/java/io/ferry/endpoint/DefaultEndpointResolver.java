package io.ferry.endpoint;

import io.ferry.device.BlockDevice;
import io.ferry.error.FerryException;
import io.ferry.proto.v1.CopyOptions;
import io.ferry.proto.v1.Endpoint;
import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.Path;
import java.util.EnumMap;
import java.util.Map;

/**
 * The agent's {@link EndpointResolver}: one {@link Backend} per endpoint kind (files now; RBD
 * registers its own with {@link #register}), and the shared {@link DeviceRegistry} every source
 * is opened through.
 */
public final class DefaultEndpointResolver implements EndpointResolver {

  private final Map<Endpoint.KindCase, Backend> backends = new EnumMap<>(Endpoint.KindCase.class);
  private final DeviceRegistry devices = new DeviceRegistry();
  private final FormatRegistry formats;

  /** A resolver with the file backend over {@code fileRoots} and the given formats. */
  public DefaultEndpointResolver(Map<String, Path> fileRoots, FormatRegistry formats) {
    this.formats = formats;
    register(Endpoint.KindCase.FILE, new FileBackend(new FileRoots(fileRoots), formats));
  }

  public synchronized DefaultEndpointResolver register(Endpoint.KindCase kind, Backend backend) {
    backends.put(kind, backend);
    return this;
  }

  public DeviceRegistry devices() {
    return devices;
  }

  public FormatRegistry formats() {
    return formats;
  }

  /**
   * A handle on the shared device of {@code endpoint}, opened for writing where the endpoint
   * allows it, so that a writer (test, demo, NBD export) and a job's change feed meet on one
   * {@link io.ferry.device.WriteTap}. Close the handle when done.
   */
  public SharedDevice acquire(Endpoint endpoint, String field) throws IOException {
    Backend b = backend(endpoint, field);
    return devices.acquire(b.key(endpoint, field), false, () -> openShared(b, endpoint, field));
  }

  @Override
  public BlockDevice open(Endpoint endpoint, boolean readOnly) throws IOException {
    return open(endpoint, readOnly, "source");
  }

  @Override
  public BlockDevice open(Endpoint endpoint, boolean readOnly, String field) throws IOException {
    Backend b = backend(endpoint, field);
    return devices.acquire(b.key(endpoint, field), readOnly, () -> openShared(b, endpoint, field));
  }

  @Override
  public void checkDestination(Endpoint endpoint, long size, CopyOptions options)
      throws IOException {
    backend(endpoint, "destination").checkDestination(endpoint, "destination", size, options);
  }

  @Override
  public Destination create(Endpoint endpoint, long size, CopyOptions options) throws IOException {
    return backend(endpoint, "destination").create(endpoint, "destination", size, options);
  }

  @Override
  public Destination create(Endpoint endpoint, long size, CopyOptions options, Endpoint source)
      throws IOException {
    return backend(endpoint, "destination").create(endpoint, "destination", size, options, source);
  }

  @Override
  public String copySnapshots(Endpoint source, Destination destination,
      io.ferry.copy.Throttle throttle, SnapshotListener listener)
      throws IOException, InterruptedException {
    Backend b = backend(source, "source");
    if (!(b instanceof RbdBackend rbd) || !source.hasRbd()) {
      throw FerryException.invalid("options.copy_snapshots",
          "is only supported from an RBD image to an RBD image");
    }
    return rbd.copySnapshots(source, destination, throttle, listener);
  }

  @Override
  public Destination reopen(Endpoint endpoint, CopyOptions options) throws IOException {
    return backend(endpoint, "destination").reopen(endpoint, "destination", options);
  }

  @Override
  public Destination existing(Endpoint endpoint, long minSize) throws IOException {
    return backend(endpoint, "destination").existing(endpoint, "destination", minSize);
  }

  @Override
  public void delete(Endpoint endpoint) throws IOException {
    Backend b = backend(endpoint, "source");
    String key = b.key(endpoint, "source");
    if (devices.users(key) > 0) {
      throw FerryException.precondition("source: " + b.describe(endpoint) + " is still open by "
          + devices.users(key) + " user(s) of this agent; it was not deleted");
    }
    b.delete(endpoint, "source");
  }

  @Override
  public String describe(Endpoint endpoint) {
    Backend b = backends.get(endpoint.getKindCase());
    return b == null ? "endpoint of kind " + endpoint.getKindCase() : b.describe(endpoint);
  }

  private static BlockDevice openShared(Backend b, Endpoint endpoint, String field)
      throws IOException {
    try {
      return b.open(endpoint, field, false);
    } catch (AccessDeniedException e) {
      return b.open(endpoint, field, true);
    }
  }

  private synchronized Backend backend(Endpoint endpoint, String field) {
    if (endpoint.getKindCase() == Endpoint.KindCase.KIND_NOT_SET) {
      throw FerryException.invalid(field, "is empty; set either rbd or file");
    }
    Backend b = backends.get(endpoint.getKindCase());
    if (b == null) {
      throw FerryException.invalid(field + "." + endpoint.getKindCase().name().toLowerCase(),
          "endpoints of this kind are not supported by this agent");
    }
    return b;
  }
}
