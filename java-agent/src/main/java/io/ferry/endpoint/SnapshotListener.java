package io.ferry.endpoint;

/** What carrying a source's snapshots (copy_snapshots) reports to the job, and how it stops. */
public interface SnapshotListener {

  /** True when the job is cancelled or the agent stops: carrying ends at once. */
  boolean stopping();

  /** Snapshot {@code name} now exists on the destination; {@code bytes} of its diff copied. */
  void carried(String name, long bytes, boolean isProtected);
}
