package io.ferry.cloud;

import io.ferry.error.FerryException;

/**
 * How much of an evacuation may run at once.
 *
 * @param maxParallel moves under way at once, overall
 * @param maxPerHost attached moves under way at once per compute host (each is a live mirror
 *     on that host)
 * @param maxPerPool moves under way at once per source pool and per destination pool
 * @param bandwidthBytesPerSec budget for all moves together, 0 for none. Cinder's API takes no
 *     bandwidth: the budget limits how many moves start (each counted at its assumed rate)
 * @param detachedRate assumed bytes/s of one detached move (agent copy)
 * @param attachedRate assumed bytes/s of one attached move (Nova swap, live mirror)
 */
public record EvacuationLimits(int maxParallel, int maxPerHost, int maxPerPool,
    long bandwidthBytesPerSec, long detachedRate, long attachedRate) {

  public static final long DEFAULT_DETACHED_RATE = 150L << 20;
  public static final long DEFAULT_ATTACHED_RATE = 35L << 20;

  public EvacuationLimits {
    if (maxParallel < 1 || maxPerHost < 1 || maxPerPool < 1) {
      throw FerryException.invalid("--max-parallel/--max-per-host/--max-per-pool",
          "must be at least 1");
    }
    if (bandwidthBytesPerSec < 0 || detachedRate <= 0 || attachedRate <= 0) {
      throw FerryException.invalid("--bandwidth", "must not be negative");
    }
  }

  long rateOf(boolean attached) {
    return attached ? attachedRate : detachedRate;
  }
}
