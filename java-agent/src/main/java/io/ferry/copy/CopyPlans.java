package io.ferry.copy;

import io.ferry.error.FerryException;

/** Checks of a {@link CopyPlan} before a run, with messages that name the field. */
final class CopyPlans {

  static final long MIN_CHUNK = 64 * 1024;
  static final long MAX_CHUNK = 64L << 20;
  static final int MAX_PARALLELISM = 256;
  /** Direct-buffer memory one job may hold (parallelism x chunk size): keeps the agent small. */
  static final long MAX_BUFFERS = 128L << 20;

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
    if (c < MIN_CHUNK || c > MAX_CHUNK || c % 512 != 0) {
      throw FerryException.invalid(
          "chunk_size", "must be a multiple of 512 bytes from 64 KiB to 64 MiB, got " + c);
    }
    if (plan.parallelism() < 1 || plan.parallelism() > MAX_PARALLELISM) {
      throw FerryException.invalid(
          "parallelism", "must be from 1 to " + MAX_PARALLELISM + ", got " + plan.parallelism());
    }
    if (c * plan.parallelism() > MAX_BUFFERS) {
      throw FerryException.invalid(
          "parallelism",
          plan.parallelism() + " requests of " + c + " bytes need more than the "
              + (MAX_BUFFERS >> 20) + " MiB of buffers one job may use; lower parallelism or"
              + " chunk_size");
    }
    if (plan.convergedBytes() < 0) {
      throw FerryException.invalid("converged_bytes", "must be >= 0, got " + plan.convergedBytes());
    }
    if (plan.maxMergePasses() < 0) {
      throw FerryException.invalid("max_merge_passes", "must be >= 0, got " + plan.maxMergePasses());
    }
  }
}
