package io.ferry.virt;

/**
 * Something a live mirror did or saw, with the rates measured at that moment.
 *
 * @param kind "state", "convergence", "pivot", "verify", "throttle", "reattach"
 * @param step the convergence step taken (null for other kinds)
 * @param savedIoTune for "throttle": the guest's limits before the throttle, to persist so a
 *     restarted agent can restore them; null otherwise
 */
public record MirrorEvent(
    String kind,
    Convergence.Step step,
    String message,
    long copyRate,
    long dirtyRate,
    long remaining,
    IoTune savedIoTune) {

  static MirrorEvent of(String kind, String message, MirrorProgress p) {
    return new MirrorEvent(kind, null, message,
        p == null ? 0 : p.copyRate(), p == null ? 0 : p.dirtyRate(),
        p == null ? 0 : p.remaining(), null);
  }
}
