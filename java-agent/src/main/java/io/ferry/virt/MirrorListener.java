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

  /**
   * Convergence step 1 asks for as much bandwidth as the mirror may have: returns that cap
   * (bytes/s; 0: none), or -1 when the listener keeps no budget (then the policy's {@code
   * hostBandwidthCap} applies).
   */
  default long onRaiseBandwidth() {
    return -1;
  }

  MirrorListener NONE = new MirrorListener() {
    @Override
    public void onState(MirrorState state, String detail) {}

    @Override
    public void onProgress(MirrorProgress progress) {}

    @Override
    public void onEvent(MirrorEvent event) {}
  };
}
