package io.ferry.copy;

import io.ferry.device.BlockDevice;
import io.ferry.device.Extent;
import io.ferry.error.FerryException;
import io.ferry.error.Reason;
import java.io.IOException;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;

/** One run of a {@link CopyEngine}: the phases in order, from a checkpoint. */
final class CopyRun {

  private final CopyEngine engine;
  private final CopyPlan plan;
  private final Workers workers;
  private final CopyCheckpoint from;
  private final boolean resumed;
  private final CopyStats stats;
  private final long chunkSize;
  private final SourceDigests digests = new SourceDigests();
  private BlockDevice readFrom;
  private long size;
  private int pass;

  CopyRun(CopyEngine engine, Workers workers, CopyCheckpoint from, boolean resumed) {
    this.engine = engine;
    this.plan = engine.plan();
    this.workers = workers;
    this.from = from;
    this.resumed = resumed;
    this.stats = engine.stats();
    this.chunkSize = engine.chunkSize();
  }

  CopyResult execute(long started) throws IOException, InterruptedException {
    ChangeFeed feed = plan.feed();
    ChangeFeed.Pass full = feed.start(from.feedState());
    readFrom = full.readFrom();
    size = readFrom.size();
    checkDestination();
    workers.allocate(requestSize(readFrom, plan.destination()));
    List<Extent> data = Chunks.normalize(full.extents(), size);
    stats.holeBytes.set(size - Chunks.total(data));
    pass = from.pass();
    List<Extent> carry = List.of();
    CopyPhase at = from.phase();
    if (at == CopyPhase.SYNC) {
      sync(data);
      at = CopyPhase.MERGE;
    } else if (at == CopyPhase.MERGE || at == CopyPhase.FINAL) {
      carry = from.pendingDirty();
    }
    if (at == CopyPhase.MERGE) {
      carry = merge(feed, carry);
    }
    engine.checkStopped();
    ChangeFeed.Pass last = feed.next(true);
    pass++;
    copyPass(CopyPhase.FINAL, last.readFrom(), Chunks.union(carry, last.extents(), size));
    readFrom = last.readFrom();
    boolean verified = false;
    if (plan.verify() || resumed) {
      verified = verify();
    }
    plan.destination().flush();
    engine.enter(CopyPhase.DONE, pass, 0, 0);
    engine.setCurrent(PassState.idle(CopyPhase.DONE, pass));
    engine.checkpoint();
    return new CopyResult(
        size,
        stats.bytesCopied.get(),
        stats.holeBytes.get(),
        stats.regionsMerged.get(),
        pass,
        verified,
        stats.bytesRepaired.get(),
        System.nanoTime() - started);
  }

  private void checkDestination() throws IOException {
    BlockDevice dest = plan.destination();
    if (dest == readFrom) {
      throw FerryException.invalid("destination", "is the source itself; choose another device");
    }
    if (dest.isReadOnly()) {
      throw FerryException.precondition(dest.describe() + " is read-only: open it for writing");
    }
    if (dest.size() < size) {
      throw FerryException.precondition(
          dest.describe() + " has " + dest.size() + " bytes, less than the " + size
              + " bytes of " + readFrom.describe() + ": create or grow it to at least that size");
    }
  }

  /**
   * Bytes per request: the larger of both sides' preferences (no preference meaning the chunk
   * size), at most the chunk size. File to file: 256 KiB; with RBD on either side: whole chunks.
   */
  private int requestSize(BlockDevice source, BlockDevice dest) {
    long wanted = Math.max(preference(source), preference(dest));
    return (int) Math.max(4096, Math.min(chunkSize, wanted));
  }

  private long preference(BlockDevice dev) {
    int p = dev.preferredRequestSize();
    return p > 0 ? p : chunkSize;
  }

  /** The full sync: every allocated chunk not synced by an earlier run; holes stay holes. */
  private void sync(List<Extent> data) throws IOException, InterruptedException {
    List<Chunks.Task> tasks = Chunks.split(data, chunkSize);
    BitSet already = from.chunkSize() == chunkSize ? from.syncedChunks() : new BitSet();
    PassState state = new PassState(CopyPhase.SYNC, 0, tasks, already);
    List<Chunks.Task> todo = new ArrayList<>();
    long done = 0;
    for (Chunks.Task t : tasks) {
      if (state.isDone(t)) {
        done += t.bytes();
      } else {
        todo.add(t);
      }
    }
    engine.enter(CopyPhase.SYNC, 0, Chunks.total(data), done);
    engine.setCurrent(state);
    zeroHoles(Chunks.complement(data, size));
    ChunkCopier copier = copier(readFrom);
    // Digests serve only the verification (CRC32C+CRC32 of every byte: CPU not spent without it).
    boolean digest = plan.verify() || resumed;
    boolean stored = digest && plan.destination().canStoredXxHash64();
    workers.run(
        todo,
        (task, buffer) -> {
          SourceDigests.Digest d = digest ? SourceDigests.Digest.forParts(task.parts(), stored) : null;
          stats.holeBytes.addAndGet(copier.copy(task, buffer, d));
          if (d != null) {
            digests.record(task.index(), task.parts(), d);
          }
          state.markDone(task);
        });
    engine.checkStopped();
    engine.checkpoint();
  }

  /**
   * Makes the destination read as zeros where the source has holes. Sparse: only what the
   * destination reports as data is deallocated (nothing, for a fresh destination). Not sparse:
   * every hole is written as allocated zeros, so the destination ends fully allocated.
   */
  private void zeroHoles(List<Extent> holes) throws IOException {
    BlockDevice dest = plan.destination();
    for (Extent hole : holes) {
      engine.checkStopped();
      if (!plan.keepSparse()) {
        dest.writeZeroes(hole.offset(), hole.length(), false);
        continue;
      }
      List<Extent> stale = dest.canExtents() ? dest.extents(hole.offset(), hole.length()) : List.of(hole);
      for (Extent e : stale) {
        dest.writeZeroes(e.offset(), e.length(), true);
      }
    }
  }

  /** Merge passes until the dirty set is small or the pass budget is spent; returns the carry. */
  private List<Extent> merge(ChangeFeed feed, List<Extent> carry) throws IOException, InterruptedException {
    int merges = 0;
    while (merges < plan.maxMergePasses()
        && (!carry.isEmpty() || feed.pendingBytes() >= Math.max(1, plan.convergedBytes()))) {
      engine.checkStopped();
      ChangeFeed.Pass p = feed.next(false);
      pass++;
      merges++;
      copyPass(CopyPhase.MERGE, p.readFrom(), Chunks.union(carry, p.extents(), size));
      carry = List.of();
    }
    return carry;
  }

  private void copyPass(CopyPhase phase, BlockDevice source, List<Extent> extents)
      throws IOException, InterruptedException {
    List<Chunks.Task> tasks = Chunks.split(extents, chunkSize);
    long bytes = Chunks.total(extents);
    engine.enter(phase, pass, bytes, 0);
    engine.event("pass", phase + " pass " + pass + ": " + extents.size() + " regions, " + bytes + " bytes");
    stats.regionsMerged.addAndGet(extents.size());
    PassState state = new PassState(phase, pass, tasks, new BitSet());
    engine.setCurrent(state);
    digests.invalidate(extents, chunkSize); // these chunks changed since the sync read them
    ChunkCopier copier = copier(source);
    workers.run(
        tasks,
        (task, buffer) -> {
          copier.copy(task, buffer);
          state.markDone(task);
        });
    engine.checkStopped();
    engine.checkpoint();
  }

  /** Compares both sides; recopies differing chunks and compares them again, a few rounds. */
  private boolean verify() throws IOException, InterruptedException {
    ChunkCopier copier = copier(readFrom);
    Verifier verifier =
        new Verifier(readFrom, plan.destination(), chunkSize, copier, stats, digests);
    engine.enter(CopyPhase.VERIFY, pass, 0, 0);
    engine.setCurrent(PassState.idle(CopyPhase.VERIFY, pass));
    engine.checkpoint();
    List<Chunks.Task> tasks = verifier.allTasks(size);
    stats.phaseTotal.set(totalBytes(tasks));
    for (int round = 1; ; round++) {
      List<Long> differ = verifier.compare(workers, tasks);
      engine.checkStopped();
      if (differ.isEmpty()) {
        return true;
      }
      if (round >= CopyEngine.MAX_VERIFY_ROUNDS) {
        throw new FerryException(
            Reason.DATA_LOSS,
            plan.destination().describe() + " still differs from " + readFrom.describe() + " in "
                + differ.size() + " chunk(s) (first at byte " + differ.get(0) * chunkSize
                + ") after " + round + " verification rounds; do not use the destination");
      }
      engine.event("verify", differ.size() + " chunk(s) differ; recopying them from the source");
      digests.invalidate(differ); // repaired chunks are compared on both sides
      tasks = Chunks.wholeChunks(differ, chunkSize, size);
      long repair = totalBytes(tasks);
      workers.run(tasks, (task, buffer) -> copier.copy(task, buffer));
      engine.checkStopped();
      stats.bytesRepaired.addAndGet(repair);
      plan.destination().flush();
      engine.enter(CopyPhase.VERIFY, pass, repair, 0);
    }
  }

  private static long totalBytes(List<Chunks.Task> tasks) {
    long sum = 0;
    for (Chunks.Task t : tasks) {
      sum += t.bytes();
    }
    return sum;
  }

  private ChunkCopier copier(BlockDevice source) {
    return new ChunkCopier(
        source, plan.destination(), plan.throttle(), plan.keepSparse(), stats, engine::stopping);
  }
}
