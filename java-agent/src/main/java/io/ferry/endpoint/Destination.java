package io.ferry.endpoint;

import io.ferry.device.BlockDevice;
import java.io.Closeable;
import java.io.IOException;

/**
 * A destination being written by a job. What it created it can undo: {@link #abandon()} removes
 * only what this destination made (never a pre-existing image or file).
 */
public interface Destination extends Closeable {

  BlockDevice device();

  /** True when the job created it (and so may remove it on cancel or failure). */
  boolean created();

  /** Makes the destination final and visible under its name (flush, rename). Idempotent. */
  void commit() throws IOException;

  /** Removes what was created; a no-op for pre-existing destinations. Idempotent. */
  void abandon() throws IOException;

  /** Closes the device without committing or abandoning. Idempotent. */
  @Override
  void close() throws IOException;
}
