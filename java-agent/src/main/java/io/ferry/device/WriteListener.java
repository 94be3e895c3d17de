package io.ferry.device;

/**
 * Told about every write or zeroing that completed on a {@link WriteTap}. Called on the writer's
 * thread before the write returns to its caller, so implementations must be quick and must not
 * block.
 */
@FunctionalInterface
public interface WriteListener {

  /** {@code [offset, offset+length)} changed on the device. */
  void written(long offset, long length);
}
