package io.ferry.cloud;

import io.ferry.error.FerryException;
import io.ferry.error.Reason;
import java.time.Duration;

/** Waits between polls; tests pass one that does not wait. */
@FunctionalInterface
public interface Sleeper {

  Sleeper REAL = d -> {
    try {
      Thread.sleep(d.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new FerryException(Reason.CANCELLED, "interrupted while waiting for Cinder");
    }
  };

  void sleep(Duration d);
}
