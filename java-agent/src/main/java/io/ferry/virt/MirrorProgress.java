package io.ferry.virt;

/**
 * One sample of a live mirror's progress.
 *
 * @param cur bytes copied (QEMU's offset; restarts at 0 when the copy restarts)
 * @param end cur plus what is still dirty
 * @param copyRate bytes/s copied, over the last few seconds
 * @param dirtyRate bytes/s the guest newly dirties: the growth rate of {@code end} (see {@link
 *     RateMeter})
 * @param guestWriteRate bytes/s the guest device writes (block stats {@code wr_bytes})
 * @param etaSeconds time to READY at the current net rate; -1 when not converging
 * @param bandwidthLimit the job's cap in force (bytes/s; 0: none)
 */
public record MirrorProgress(
    long cur,
    long end,
    boolean ready,
    long copyRate,
    long dirtyRate,
    long guestWriteRate,
    long etaSeconds,
    long bandwidthLimit,
    CopyMode mode) {

  public long remaining() {
    return Math.max(0, end - cur);
  }
}
