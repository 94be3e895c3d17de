package io.ferry.copy;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/** A listener that keeps everything it is told, and can run a hook on each checkpoint. */
final class RecordingListener implements CopyListener {

  final List<CopyPhase> phases = new CopyOnWriteArrayList<>();
  final List<CopyProgress> progress = new CopyOnWriteArrayList<>();
  final List<CopyCheckpoint> checkpoints = new CopyOnWriteArrayList<>();
  final List<String> events = new CopyOnWriteArrayList<>();
  volatile Consumer<CopyCheckpoint> onCheckpoint = c -> {};
  volatile Consumer<CopyPhase> onPhase = p -> {};

  @Override
  public void phase(CopyPhase phase) {
    phases.add(phase);
    onPhase.accept(phase);
  }

  @Override
  public void progress(CopyProgress p) {
    progress.add(p);
  }

  @Override
  public void checkpoint(CopyCheckpoint checkpoint) {
    checkpoints.add(checkpoint);
    onCheckpoint.accept(checkpoint);
  }

  @Override
  public void event(String kind, String message) {
    events.add(kind + ": " + message);
  }

  CopyCheckpoint last() {
    return checkpoints.get(checkpoints.size() - 1);
  }

  List<CopyCheckpoint> inPhase(CopyPhase phase) {
    List<CopyCheckpoint> out = new ArrayList<>();
    for (CopyCheckpoint c : checkpoints) {
      if (c.phase() == phase) {
        out.add(c);
      }
    }
    return out;
  }
}
