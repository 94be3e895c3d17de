package io.ferry.copy;

/**
 * How the engine reports to the job layer. Called from engine threads; implementations must be
 * quick and must not call back into the engine.
 */
public interface CopyListener {

  /** The engine enters {@code phase}. The job persists its state before this returns. */
  void phase(CopyPhase phase);

  /** Progress, at least once a second while data moves. */
  void progress(CopyProgress progress);

  /** Durable progress: the destination has been flushed up to what {@code checkpoint} says. */
  void checkpoint(CopyCheckpoint checkpoint);

  /** Something an operator may want to read later (e.g. "merge pass 3: 12 MiB dirty"). */
  default void event(String kind, String message) {}
}
