package io.ferry.copy;

import io.ferry.device.Extent;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;

/**
 * What the current pass has finished, for checkpoints: during SYNC the bitmap of synced chunks
 * (those of earlier runs included), during MERGE and FINAL the regions not yet copied.
 * Thread-safe; chunk indexes are unique within a pass, so they name its tasks.
 */
final class PassState {

  final CopyPhase phase;
  final int pass;
  private final List<Chunks.Task> tasks;
  private final BitSet done;

  PassState(CopyPhase phase, int pass, List<Chunks.Task> tasks, BitSet alreadyDone) {
    this.phase = phase;
    this.pass = pass;
    this.tasks = tasks;
    this.done = (BitSet) alreadyDone.clone();
  }

  static PassState idle(CopyPhase phase, int pass) {
    return new PassState(phase, pass, List.of(), new BitSet());
  }

  synchronized void markDone(Chunks.Task task) {
    done.set(Math.toIntExact(task.index()));
  }

  synchronized boolean isDone(Chunks.Task task) {
    return done.get(Math.toIntExact(task.index()));
  }

  synchronized BitSet doneChunks() {
    return (BitSet) done.clone();
  }

  /** Regions of this pass not yet copied. */
  synchronized List<Extent> pending() {
    List<Extent> out = new ArrayList<>();
    for (Chunks.Task t : tasks) {
      if (!done.get(Math.toIntExact(t.index()))) {
        out.addAll(t.parts());
      }
    }
    return out;
  }
}
