package io.ferry.copy;

import java.util.List;

/** A bandwidth cap data passes through before it is written. */
public interface Throttle {

  Throttle NONE = bytes -> {};

  /** Blocks until {@code bytes} may pass. Interruptible. */
  void acquire(long bytes) throws InterruptedException;

  /**
   * A throttle that passes bytes only when every one of {@code throttles} lets them pass, in
   * order: e.g. a job's own bucket then the host-wide bucket shared by all jobs. Acquiring from
   * the job's bucket first means a job waiting on its own cap never holds host-wide tokens.
   */
  static Throttle all(Throttle... throttles) {
    List<Throttle> chain = List.of(throttles);
    return bytes -> {
      for (Throttle t : chain) {
        t.acquire(bytes);
      }
    };
  }
}
