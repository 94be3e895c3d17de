package io.ferry.online;

import io.ferry.error.FerryException;
import io.ferry.error.Reason;
import io.ferry.journal.RecordWriter;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.BitSet;
import java.util.zip.CRC32C;

/**
 * The region map of one online conversion on disk, so that a crash loses no client write the
 * client was told is durable: {@link OnlineDevice#flush()} flushes the destination, then saves
 * the map as it was before that flush.
 *
 * <p>Format (big-endian): magic {@code FERRYMAP}, u32 format version 1, u64 size, u64 region size,
 * u8 complete, u32 length + bytes of the done bitmap, u32 length + bytes of the written bitmap,
 * u32 CRC32C of everything before it. Written to a temporary file, fsynced, renamed over the old
 * one, directory fsynced: a reader sees the old map or the new one, never a mix.
 *
 * <p>A map that exists but cannot be read is DATA_LOSS, never "start afresh": a fresh map would
 * let the background pass overwrite regions clients wrote.
 */
final class RegionMapFile {

  private static final long MAGIC = 0x4645525259_4D4150L; // "FERRYMAP"
  private static final int FORMAT = 1;
  /** Bitmaps beyond this are not a map we wrote (2^31 regions = 256 MiB of bits). */
  private static final int MAX_BITMAP = 1 << 28;

  private final Path path;

  RegionMapFile(Path path) {
    this.path = path;
  }

  Path path() {
    return path;
  }

  boolean exists() {
    return Files.exists(path);
  }

  void save(RegionMap.Snapshot s) throws IOException {
    byte[] done = s.done().toByteArray();
    byte[] written = s.written().toByteArray();
    ByteBuffer b = ByteBuffer.allocate(8 + 4 + 8 + 8 + 1 + 4 + done.length + 4 + written.length
        + 4);
    b.putLong(MAGIC).putInt(FORMAT).putLong(s.size()).putLong(s.regionSize())
        .put((byte) (s.complete() ? 1 : 0)).putInt(done.length).put(done)
        .putInt(written.length).put(written);
    CRC32C crc = new CRC32C();
    crc.update(b.array(), 0, b.position());
    b.putInt((int) crc.getValue()).flip();
    Files.createDirectories(path.getParent());
    Path tmp = path.resolveSibling(path.getFileName() + ".tmp");
    try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE,
        StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
      while (b.hasRemaining()) {
        ch.write(b);
      }
      ch.force(true);
    }
    Files.move(tmp, path, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    RecordWriter.fsyncDirectory(path.getParent());
  }

  /** Loads the map (in the region size it was written with); DATA_LOSS when damaged. */
  RegionMap load(long size) throws IOException {
    ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(path));
    try {
      if (b.remaining() < 41 || b.getLong() != MAGIC || b.getInt() != FORMAT) {
        throw corrupt("not a region map of this version");
      }
      CRC32C crc = new CRC32C();
      crc.update(b.array(), 0, b.limit() - 4);
      if ((int) crc.getValue() != b.getInt(b.limit() - 4)) {
        throw corrupt("checksum mismatch");
      }
      long fileSize = b.getLong();
      long fileRegion = b.getLong();
      if (fileSize != size) {
        throw corrupt("it is for " + fileSize + " bytes, the source has " + size);
      }
      boolean complete = b.get() != 0;
      BitSet done = bitmap(b);
      BitSet written = bitmap(b);
      return new RegionMap(size, fileRegion, done, written, complete);
    } catch (java.nio.BufferUnderflowException | IllegalArgumentException e) {
      throw corrupt("truncated or malformed (" + e.getMessage() + ")");
    }
  }

  void delete() throws IOException {
    Files.deleteIfExists(path);
  }

  private BitSet bitmap(ByteBuffer b) {
    int n = b.getInt();
    if (n < 0 || n > MAX_BITMAP || n > b.remaining()) {
      throw new IllegalArgumentException("bitmap length " + n);
    }
    byte[] bytes = new byte[n];
    b.get(bytes);
    return BitSet.valueOf(bytes);
  }

  private FerryException corrupt(String why) {
    return new FerryException(Reason.DATA_LOSS, "online conversion map " + path + " is damaged ("
        + why + "): which regions clients wrote is unknown, so the conversion cannot go on "
        + "safely; keep the destination as it is and convert again to a new destination");
  }
}
