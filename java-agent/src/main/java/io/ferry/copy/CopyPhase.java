package io.ferry.copy;

/** The copy engine's phases, in order. */
public enum CopyPhase {
  /** Full sync of the source's allocated extents. */
  SYNC,
  /** Copying regions written during the previous pass; repeated until the dirty set is small. */
  MERGE,
  /** The last merge pass, with the source frozen. */
  FINAL,
  /** Comparing source and destination chunk by chunk. */
  VERIFY,
  /** Done: the destination holds the source's data (verified if asked). */
  DONE
}
