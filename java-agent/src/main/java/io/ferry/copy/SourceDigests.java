package io.ferry.copy;

import io.ferry.device.Extent;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.zip.CRC32;
import java.util.zip.CRC32C;

/**
 * Digests of the source chunks the full sync read, so that verification reads only the
 * destination for them instead of both sides again.
 *
 * <p>Why this is sound: the full sync reads the feed's first pass, a frozen view (an RBD snapshot,
 * a held write tap); every region that changes afterwards is in a later pass's extents, and
 * {@link #invalidate} drops the digest of every chunk those touch. A chunk that keeps its digest
 * therefore holds, in the verified (final) view, exactly the bytes the sync read and digested.
 * Verification reads the destination independently and compares it with that digest over the
 * parts the sync copied, and requires zeros everywhere else in the chunk. What it does not catch
 * is a source read that returned wrong bytes both times; the two-sided comparison, still used for
 * resumed runs and for chunks without a digest, re-reads through the same device code and would
 * miss a deterministic fault too.
 *
 * <p>The digest is CRC32C and CRC32 (different polynomials, both JDK intrinsics, several GB/s) of
 * every part's offset, length and bytes, in order: 64 bits, so an unnoticed difference is about as
 * likely as 2^-64 per chunk. Memory: one small record per data chunk of the sync.
 */
final class SourceDigests {

  /** What the sync read in one chunk: its parts and their digest. */
  record Recorded(List<Extent> parts, long digest) {}

  private final ConcurrentHashMap<Long, Recorded> byChunk = new ConcurrentHashMap<>();

  void record(long chunk, List<Extent> parts, long digest) {
    byChunk.put(chunk, new Recorded(parts, digest));
  }

  Recorded get(long chunk) {
    return byChunk.get(chunk);
  }

  /** Forgets the digest of every chunk {@code extents} touch (a later pass changed them). */
  void invalidate(List<Extent> extents, long chunkSize) {
    for (Extent e : extents) {
      if (e.length() <= 0) {
        continue;
      }
      long first = e.offset() / chunkSize;
      long last = (e.end() - 1) / chunkSize;
      for (long i = first; i <= last; i++) {
        byChunk.remove(i);
      }
    }
  }

  /** Forgets the digests of the given chunks (repaired: compare them on both sides). */
  void invalidate(Iterable<Long> chunks) {
    for (long i : chunks) {
      byChunk.remove(i);
    }
  }

  int size() {
    return byChunk.size();
  }

  /** A running digest of one chunk's parts; not thread-safe (one per task). */
  static final class Digest {
    private final CRC32C crc32c = new CRC32C();
    private final CRC32 crc32 = new CRC32();
    private final ByteBuffer header = ByteBuffer.allocate(16);

    /** Starts a part: its place is part of the digest, so moved bytes do not match. */
    void part(long offset, long length) {
      header.clear();
      header.putLong(offset).putLong(length).flip();
      crc32c.update(header.duplicate());
      crc32.update(header);
    }

    /** Adds the remaining bytes of {@code data} without moving its position. */
    void update(ByteBuffer data) {
      crc32c.update(data.duplicate());
      crc32.update(data.duplicate());
    }

    long value() {
      return (crc32c.getValue() << 32) | crc32.getValue();
    }
  }
}
