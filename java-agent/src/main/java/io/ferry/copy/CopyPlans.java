package io.ferry.copy;

import io.ferry.error.FerryException;

/** Checks of a {@link CopyPlan} before a run, with messages that name the field. */
final class CopyPlans {

  static final long MIN_CHUNK = 64 * 1024;
  static final long MAX_CHUNK = 64L << 20;
  static final int MAX_PARALLELISM = 64;

  private CopyPlans() {}

  static void validate(CopyPlan plan) {
    if (plan.feed() == null) {
      throw FerryException.invalid("feed", "a change feed is required");
    }
    if (plan.destination() == null) {
      throw FerryException.invalid("destination", "a destination device is required");
    }
    if (plan.throttle() == null) {
      throw FerryException.invalid("throttle", "use Throttle.NONE for no bandwidth cap");
    }
    long c = plan.chunkSize();
    if (c < MIN_CHUNK || c > MAX_CHUNK || Long.bitCount(c) != 1) {
      throw FerryException.invalid(
          "chunk_size", "must be a power of two from 64 KiB to 64 MiB, got " + c);
    }
    if (plan.parallelism() < 1 || plan.parallelism() > MAX_PARALLELISM) {
      throw FerryException.invalid(
          "parallelism", "must be from 1 to " + MAX_PARALLELISM + ", got " + plan.parallelism());
    }
    if (plan.convergedBytes() < 0) {
      throw FerryException.invalid("converged_bytes", "must be >= 0, got " + plan.convergedBytes());
    }
    if (plan.maxMergePasses() < 0) {
      throw FerryException.invalid("max_merge_passes", "must be >= 0, got " + plan.maxMergePasses());
    }
  }
}
