package io.ferry.job;

import io.ferry.copy.CopyCheckpoint;
import io.ferry.copy.CopyListener;
import io.ferry.copy.CopyPhase;
import io.ferry.copy.CopyProgress;
import io.ferry.proto.v1.JobState;

/**
 * The job's side of the engine's reports: a phase becomes a persisted state, progress is
 * published, checkpoints go to the journal (at most once per interval), events are recorded.
 */
final class Listener implements CopyListener {

  private final JobRunner runner;

  Listener(JobRunner runner) {
    this.runner = runner;
  }

  @Override
  public void phase(CopyPhase phase) {
    runner.hook(JobHooks.Point.PHASE, phase);
    JobState state = Progresses.stateOf(phase);
    if (state != null) {
      runner.advanceTo(state);
      CopyCheckpoint cp = runner.entry().checkpoint;
      if (cp != null) {
        runner.ctx().store().checkpoint(runner.entry(), cp, true);
      }
    }
  }

  @Override
  public void progress(CopyProgress progress) {
    runner.hook(JobHooks.Point.PROGRESS, progress.phase());
    long limit = runner.bandwidthLimit();
    runner.ctx().store().publish(runner.entry(),
        b -> b.setProgress(Progresses.merge(b.getProgress(), progress, limit)));
  }

  @Override
  public void checkpoint(CopyCheckpoint checkpoint) {
    runner.hook(JobHooks.Point.CHECKPOINT, checkpoint.phase());
    runner.ctx().store().checkpoint(runner.entry(), checkpoint, false);
  }

  @Override
  public void event(String kind, String message) {
    if (!runner.crashed()) {
      runner.ctx().store().event(runner.entry(), kind, message);
    }
  }
}
