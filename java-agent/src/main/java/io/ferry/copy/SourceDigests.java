package io.ferry.copy;

import io.ferry.device.Extent;
import io.ferry.device.Xxh64;
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

  /**
   * What the sync read in one chunk: its parts and their digest; {@code xxh64} when the digest is
   * the plain XXH64 of one part's bytes, which a store such as a Ceph OSD can compute itself.
   */
  record Recorded(List<Extent> parts, long digest, boolean xxh64) {}

  private final ConcurrentHashMap<Long, Recorded> byChunk = new ConcurrentHashMap<>();

  void record(long chunk, List<Extent> parts, Digest digest) {
    byChunk.put(chunk, new Recorded(parts, digest.value(), digest.xxh64 != null));
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

  /**
   * A running digest of one chunk's parts; not thread-safe (one per task). Either CRC32C+CRC32 of
   * every part's place and bytes, or, for a chunk of one part whose destination can hash its own
   * bytes ({@link io.ferry.device.BlockDevice#storedXxHash64}), XXH64 of that part's bytes: the
   * part's place is then recorded beside it and the store is asked for exactly that range.
   */
  static final class Digest {
    private final CRC32C crc32c = new CRC32C();
    private final CRC32 crc32 = new CRC32();
    private final Xxh64 xxh64;
    private final ByteBuffer header = ByteBuffer.allocate(16);

    Digest() {
      this(false);
    }

    Digest(boolean xxh64) {
      this.xxh64 = xxh64 ? new Xxh64() : null;
    }

    /** The digest the destination can check best for a chunk of {@code parts}. */
    static Digest forParts(List<Extent> parts, boolean storedHashes) {
      return new Digest(storedHashes && parts.size() == 1);
    }

    /** Starts a part: its place is part of the digest, so moved bytes do not match. */
    void part(long offset, long length) {
      if (xxh64 != null) {
        return;
      }
      header.clear();
      header.putLong(offset).putLong(length).flip();
      crc32c.update(header.duplicate());
      crc32.update(header);
    }

    /** Adds the remaining bytes of {@code data} without moving its position. */
    void update(ByteBuffer data) {
      if (xxh64 != null) {
        xxh64.update(data);
        return;
      }
      crc32c.update(data.duplicate());
      crc32.update(data.duplicate());
    }

    long value() {
      if (xxh64 != null) {
        return xxh64.value();
      }
      return (crc32c.getValue() << 32) | crc32.getValue();
    }
  }
}
