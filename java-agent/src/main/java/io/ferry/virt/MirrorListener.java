package io.ferry.virt;

/**
 * Receives a live mirror's progress (about 4 times a second), events and state changes, on the
 * mirror's supervising thread. Implementations must return quickly and not throw.
 */
public interface MirrorListener {

  void onState(MirrorState state, String detail);

  void onProgress(MirrorProgress progress);

  void onEvent(MirrorEvent event);

  /**
   * The guest's I/O limits to put back after a convergence throttle: called with them before the
   * throttle is applied, and with null once they are restored. Persist them before returning so
   * that an agent restarted after a crash restores them; unlike the other callbacks this one may
   * throw, and then the throttle is not applied.
   */
  default void onGuestLimitsSaved(IoTune saved) {}

  MirrorListener NONE = new MirrorListener() {
    @Override
    public void onState(MirrorState state, String detail) {}

    @Override
    public void onProgress(MirrorProgress progress) {}

    @Override
    public void onEvent(MirrorEvent event) {}
  };
}
