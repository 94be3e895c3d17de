package io.ferry.virt;

/**
 * Receives a live mirror's progress (about 4 times a second), events and state changes, on the
 * mirror's supervising thread. Implementations must return quickly and not throw.
 */
public interface MirrorListener {

  void onState(MirrorState state, String detail);

  void onProgress(MirrorProgress progress);

  void onEvent(MirrorEvent event);

  MirrorListener NONE = new MirrorListener() {
    @Override
    public void onState(MirrorState state, String detail) {}

    @Override
    public void onProgress(MirrorProgress progress) {}

    @Override
    public void onEvent(MirrorEvent event) {}
  };
}
