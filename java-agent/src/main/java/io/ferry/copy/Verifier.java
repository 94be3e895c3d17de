package io.ferry.copy;

import io.ferry.device.BlockDevice;
import io.ferry.device.Extent;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.OptionalLong;

/**
 * Compares source and destination chunk by chunk over the whole source range and reports the
 * chunks that differ. Ranges that are holes on both sides are equal by definition and skipped;
 * everything where either side has data is read on both sides, so a destination holding data
 * where the source has a hole is caught.
 *
 * <p>A chunk the full sync copied and no later pass touched has a digest of what the sync read
 * ({@link SourceDigests}): it is checked by reading the destination only, against that digest
 * over the parts the sync copied and against zeros elsewhere. Every other chunk (changed by a
 * later pass, repaired, or from an earlier run of a resumed copy) is compared on both sides.
 *
 * <p>How chunks are compared on both sides: byte for byte ({@link ByteBuffer#mismatch}, a vectorised
 * intrinsic), not through digests. Both sides pass through this process anyway, so a digest
 * could only add a collision chance and CPU: on the 2-core lab VM, mismatch compares about
 * 9 GB/s of each side, CRC32C digests about 13 GB/s per side (two digests per byte pair),
 * CRC32C+CRC32 about 6 GB/s and SHA-256 about 0.8 GB/s per side (a 2 GiB-data volume would
 * spend over 5 CPU-seconds hashing). Each worker splits its one buffer in two halves, source and
 * destination, so verification needs no memory beyond the copy's.
 */
final class Verifier {

  private final BlockDevice source;
  private final BlockDevice destination;
  private final long chunkSize;
  private final ChunkCopier throttled;
  private final CopyStats stats;
  private final SourceDigests digests;
  private List<Extent> sourceExtents = List.of();

  Verifier(BlockDevice source, BlockDevice destination, long chunkSize, ChunkCopier throttled,
      CopyStats stats, SourceDigests digests) {
    this.source = source;
    this.destination = destination;
    this.chunkSize = chunkSize;
    this.throttled = throttled;
    this.stats = stats;
    this.digests = digests;
  }

  /** The chunks to compare over the whole of {@code [0, size)}: where either side has data. */
  List<Chunks.Task> allTasks(long size) throws IOException {
    List<Extent> src = source.extents(0, size);
    List<Extent> dst = destination.extents(0, size);
    sourceExtents = Chunks.normalize(src, size);
    return Chunks.split(Chunks.union(src, dst, size), chunkSize);
  }

  /** Compares {@code tasks}; returns the indexes of the chunks that differ, sorted. */
  List<Long> compare(Workers workers, List<Chunks.Task> tasks)
      throws IOException, InterruptedException {
    List<Long> differ = Collections.synchronizedList(new ArrayList<>());
    workers.run(
        tasks,
        (task, buffer) -> {
          if (!equal(task, buffer)) {
            differ.add(task.index());
          }
        });
    List<Long> out = new ArrayList<>(differ);
    Collections.sort(out);
    return out;
  }

  private boolean equal(Chunks.Task task, ByteBuffer buffer) throws IOException, InterruptedException {
    SourceDigests.Recorded recorded = digests.get(task.index());
    if (recorded != null && covers(recorded.parts(), task.index())) {
      return matchesDigest(task, recorded, buffer);
    }
    return equalBothSides(task, buffer);
  }

  /**
   * True when every byte the source now has data at in chunk {@code index} lies in {@code parts}
   * (what the sync read): then the rest of the chunk is a hole on the source, i.e. zeros.
   */
  private boolean covers(List<Extent> parts, long index) {
    long start = index * chunkSize;
    List<Extent> gaps = Chunks.complement(parts, Long.MAX_VALUE);
    for (Extent e : clip(sourceExtents, start, start + chunkSize)) {
      for (Extent gap : gaps) {
        if (overlaps(gap, e)) {
          return false;
        }
      }
    }
    return true;
  }

  /** One-sided: the destination's bytes over the sync's parts against its digest, zeros elsewhere. */
  private boolean matchesDigest(Chunks.Task task, SourceDigests.Recorded recorded, ByteBuffer buffer)
      throws IOException, InterruptedException {
    if (!matchesStoredOrRead(recorded, buffer)) {
      return false;
    }
    List<Extent> outside = Chunks.complement(recorded.parts(), Long.MAX_VALUE);
    for (Extent part : task.parts()) {
      for (Extent gap : outside) {
        long s = Math.max(gap.offset(), part.offset());
        long e = Math.min(gap.end(), part.end());
        if (e > s && !readDestination(new Extent(s, e - s), buffer,
            b -> Zeroes.isZero(b, b.position(), b.limit()))) {
          return false;
        }
      }
    }
    return true;
  }

  /**
   * The destination's bytes over the sync's parts against the recorded digest: hashed by the store
   * itself when it can (no data moves), else read back and digested here.
   */
  private boolean matchesStoredOrRead(SourceDigests.Recorded recorded, ByteBuffer buffer)
      throws IOException, InterruptedException {
    if (recorded.xxh64()) {
      Extent part = recorded.parts().get(0);
      OptionalLong stored = destination.storedXxHash64(part.offset(), part.length());
      if (stored.isPresent()) {
        stats.phaseDone.addAndGet(part.length());
        return stored.getAsLong() == recorded.digest();
      }
    }
    SourceDigests.Digest digest = new SourceDigests.Digest(recorded.xxh64());
    for (Extent part : recorded.parts()) {
      digest.part(part.offset(), part.length());
      readDestination(part, buffer, b -> {
        digest.update(b);
        return true;
      });
    }
    return digest.value() == recorded.digest();
  }

  private interface Check {
    boolean test(ByteBuffer data);
  }

  /** Reads {@code range} of the destination through {@code buffer}; false at the first failed check. */
  private boolean readDestination(Extent range, ByteBuffer buffer, Check check)
      throws IOException, InterruptedException {
    long pos = range.offset();
    while (pos < range.end()) {
      int n = (int) Math.min(buffer.capacity(), range.end() - pos);
      throttled.pass(n);
      buffer.clear().limit(n);
      destination.read(pos, buffer);
      buffer.flip();
      stats.moved.addAndGet(n);
      stats.phaseDone.addAndGet(n);
      pos += n;
      if (!check.test(buffer)) {
        return false;
      }
    }
    return true;
  }

  /** The parts of sorted, normalized {@code extents} inside {@code [start, end)}. */
  private static List<Extent> clip(List<Extent> extents, long start, long end) {
    int lo = 0;
    int hi = extents.size();
    while (lo < hi) { // first extent ending after start
      int mid = (lo + hi) >>> 1;
      if (extents.get(mid).end() <= start) {
        lo = mid + 1;
      } else {
        hi = mid;
      }
    }
    List<Extent> out = new ArrayList<>();
    for (int i = lo; i < extents.size() && extents.get(i).offset() < end; i++) {
      Extent e = extents.get(i);
      long s = Math.max(start, e.offset());
      long t = Math.min(end, e.end());
      if (t > s) {
        out.add(new Extent(s, t - s));
      }
    }
    return out;
  }

  private static boolean overlaps(Extent a, Extent b) {
    return a.offset() < b.end() && b.offset() < a.end();
  }

  private boolean equalBothSides(Chunks.Task task, ByteBuffer buffer)
      throws IOException, InterruptedException {
    int half = buffer.capacity() / 2;
    ByteBuffer a = buffer.duplicate().position(0).limit(half).slice();
    ByteBuffer b = buffer.duplicate().position(half).limit(2 * half).slice();
    boolean same = true;
    for (Extent part : task.parts()) {
      long pos = part.offset();
      while (pos < part.end()) {
        int n = (int) Math.min(half, part.end() - pos);
        throttled.pass(n);
        a.clear().limit(n);
        b.clear().limit(n);
        source.read(pos, a);
        destination.read(pos, b);
        a.flip();
        b.flip();
        stats.moved.addAndGet(2L * n);
        stats.phaseDone.addAndGet(n);
        pos += n;
        if (a.mismatch(b) != -1) {
          same = false;
          stats.phaseDone.addAndGet(part.end() - pos);
          break;
        }
      }
    }
    return same;
  }
}
