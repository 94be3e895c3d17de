package io.ferry.virt;

import java.time.Duration;

/**
 * What a live mirror may do when the guest dirties the disk faster than it is copied. Each
 * allowed step gets {@code stepBudget} to reach READY before the next one; the last step is
 * always to abort and report "did not converge" with the measured rates.
 *
 * @param hostBandwidthCap step 1 raises the job's bandwidth up to this (bytes/s; 0: unlimited)
 * @param guestThrottle step 3's cap on the guest disk's writes (bytes/s)
 */
public record Convergence(
    Duration stepBudget,
    boolean raiseBandwidth,
    long hostBandwidthCap,
    boolean writeBlocking,
    boolean startWriteBlocking,
    boolean throttleGuest,
    long guestThrottle) {

  public static final Duration DEFAULT_STEP_BUDGET = Duration.ofSeconds(60);
  public static final long DEFAULT_GUEST_THROTTLE = 4L << 20;

  public Convergence {
    if (stepBudget == null || stepBudget.isZero() || stepBudget.isNegative()) {
      stepBudget = DEFAULT_STEP_BUDGET;
    }
    if (guestThrottle <= 0) {
      guestThrottle = DEFAULT_GUEST_THROTTLE;
    }
  }

  /** No step allowed: wait one budget, then give up. */
  public static Convergence none(Duration budget) {
    return new Convergence(budget, false, 0, false, false, false, 0);
  }

  /** Every step allowed, in order. */
  public static Convergence all(Duration budget, long hostBandwidthCap, long guestThrottle) {
    return new Convergence(budget, true, hostBandwidthCap, true, false, true, guestThrottle);
  }

  /** The steps a mirror takes, in order. */
  public enum Step {
    RAISE_BANDWIDTH,
    WRITE_BLOCKING,
    THROTTLE_GUEST
  }

  boolean allows(Step step) {
    return switch (step) {
      case RAISE_BANDWIDTH -> raiseBandwidth;
      case WRITE_BLOCKING -> writeBlocking;
      case THROTTLE_GUEST -> throttleGuest;
    };
  }
}
