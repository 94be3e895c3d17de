package io.ferry.journal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/**
 * Writes one journal record file so that a crash at any moment leaves either the previous record
 * or the new one, never a mix.
 *
 * <h2>Record format (version 1)</h2>
 *
 * <pre>
 * offset  size  field
 * 0       4     magic           "FRYJ" (0x46 0x52 0x59 0x4A)
 * 4       2     version         1
 * 6       2     flags           0 (none defined; readers ignore them)
 * 8       4     payload length  N, bytes, at most 64 MiB
 * 12      N     payload         a protobuf ferry.journal.v1.JobRecord
 * 12+N    4     CRC32C          over bytes [0, 12+N): header and payload
 * </pre>
 *
 * All integers are big-endian. A file whose length is not exactly 16+N, whose magic, version or
 * CRC is wrong, or whose payload does not parse is corrupt: {@link RecordReader} refuses it and
 * {@link JobJournal} moves it aside as {@code NAME.corrupt}, logs it once and loads the others.
 *
 * <h2>Write protocol</h2>
 *
 * <ol>
 *   <li>write the record to {@code .NAME.tmp} in the same directory (truncating any leftover);
 *   <li>fsync the temporary file;
 *   <li>rename it over {@code NAME} (atomic on POSIX file systems);
 *   <li>fsync the directory, so that the rename itself survives a power loss.
 * </ol>
 *
 * A leftover {@code .NAME.tmp} after a crash is ignored and overwritten by the next write.
 */
public final class RecordWriter {

  private final FaultHook hook;

  public RecordWriter(FaultHook hook) {
    this.hook = hook;
  }

  /**
   * Durably replaces {@code target} with a record holding {@code payload}. A pending interrupt of
   * the calling thread is held back meanwhile (NIO channels close themselves on interrupt, which
   * would lose the write) and restored afterwards.
   */
  public void write(Path target, byte[] payload) throws IOException {
    boolean interrupted = Thread.interrupted();
    try {
      writeRecord(target, payload);
    } finally {
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
  }

  private void writeRecord(Path target, byte[] payload) throws IOException {
    byte[] record = RecordFormat.encode(payload);
    Path temp = tempFor(target);
    try (FileChannel ch = FileChannel.open(temp, StandardOpenOption.CREATE,
        StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
      ByteBuffer buf = ByteBuffer.wrap(record);
      while (buf.hasRemaining()) {
        ch.write(buf);
      }
      hook.at(FaultPoint.AFTER_TEMP_WRITE);
      ch.force(true);
    }
    hook.at(FaultPoint.BEFORE_RENAME);
    try {
      Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE);
    } catch (AtomicMoveNotSupportedException e) {
      throw new IOException("journal directory " + target.getParent()
          + " does not support atomic rename; put the journal on a local POSIX file system", e);
    }
    hook.at(FaultPoint.AFTER_RENAME);
    fsyncDirectory(target.toAbsolutePath().getParent());
  }

  static Path tempFor(Path target) {
    return target.resolveSibling("." + target.getFileName() + ".tmp");
  }

  /** Makes directory entries (creations, renames, deletions) in {@code dir} durable. */
  public static void fsyncDirectory(Path dir) throws IOException {
    try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
      ch.force(true);
    }
  }
}
