package io.ferry.copy;

import io.ferry.device.BlockDevice;
import io.ferry.device.Extent;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * Compares source and destination chunk by chunk over the whole source range and reports the
 * chunks that differ. Ranges that are holes on both sides are equal by definition and skipped;
 * everything where either side has data is read on both sides and digested
 * ({@link ChunkDigest}), so a destination holding data where the source has a hole is caught.
 */
final class Verifier {

  private final BlockDevice source;
  private final BlockDevice destination;
  private final long chunkSize;
  private final ChunkCopier throttled;
  private final CopyStats stats;

  Verifier(BlockDevice source, BlockDevice destination, long chunkSize, ChunkCopier throttled, CopyStats stats) {
    this.source = source;
    this.destination = destination;
    this.chunkSize = chunkSize;
    this.throttled = throttled;
    this.stats = stats;
  }

  /** The chunks to compare over the whole of {@code [0, size)}: where either side has data. */
  List<Chunks.Task> allTasks(long size) throws IOException {
    List<Extent> src = source.extents(0, size);
    List<Extent> dst = destination.extents(0, size);
    return Chunks.split(Chunks.union(src, dst, size), chunkSize);
  }

  /** Runs the comparison of {@code tasks}; returns the indexes of the chunks that differ, sorted. */
  List<Long> compare(Workers workers, List<Chunks.Task> tasks) throws IOException, InterruptedException {
    List<Long> differ = Collections.synchronizedList(new ArrayList<>());
    ThreadLocal<ChunkDigest> digests = ThreadLocal.withInitial(ChunkDigest::new);
    workers.run(
        tasks,
        (task, buffer) -> {
          ChunkDigest d = digests.get();
          long a = digest(source, task, buffer, d, true);
          long b = digest(destination, task, buffer, d, false);
          if (a != b) {
            differ.add(task.index());
          }
          stats.phaseDone.addAndGet(task.bytes());
        });
    List<Long> out = new ArrayList<>(differ);
    Collections.sort(out);
    return out;
  }

  private long digest(BlockDevice dev, Chunks.Task task, ByteBuffer buffer, ChunkDigest d, boolean throttle)
      throws IOException, InterruptedException {
    d.reset();
    for (Extent part : task.parts()) {
      long pos = part.offset();
      while (pos < part.end()) {
        int n = (int) Math.min(buffer.capacity(), part.end() - pos);
        if (throttle) {
          throttled.pass(n);
        }
        buffer.clear().limit(n);
        dev.read(pos, buffer);
        buffer.flip();
        d.update(buffer);
        stats.moved.addAndGet(n);
        pos += n;
      }
    }
    return d.value();
  }
}
