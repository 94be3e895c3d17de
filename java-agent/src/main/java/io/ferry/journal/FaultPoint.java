package io.ferry.journal;

/**
 * Named points in {@link RecordWriter#write} where tests inject a crash (an exception thrown from
 * a {@link FaultHook}), to show that every interruption leaves either the old or the new record.
 */
public enum FaultPoint {
  /** The temporary file is written but not yet fsynced. */
  AFTER_TEMP_WRITE,
  /** The temporary file is durable; the rename has not happened. */
  BEFORE_RENAME,
  /** Renamed, but the directory entry has not been fsynced. */
  AFTER_RENAME
}
