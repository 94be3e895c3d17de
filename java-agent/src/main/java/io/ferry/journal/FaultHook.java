package io.ferry.journal;

import java.io.IOException;

/** Called at each {@link FaultPoint}; tests throw from it to simulate a crash there. */
@FunctionalInterface
public interface FaultHook {

  FaultHook NONE = point -> {};

  void at(FaultPoint point) throws IOException;
}
