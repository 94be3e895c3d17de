package io.ferry.virt;

import io.ferry.error.FerryException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Caps a guest disk's writes for a while and puts its previous limits back. {@link #restore} is
 * idempotent and safe to call whatever happened. The saved limits go to the listener (the
 * journal) before the cap is applied, and are cleared there after they are restored, so an
 * agent killed in between restores them when it starts again.
 */
final class GuestThrottle {

  private static final Logger log = LoggerFactory.getLogger(GuestThrottle.class);

  private final Hypervisor hv;
  private final String domain;
  private final String disk;
  private final MirrorListener journal;
  private IoTune saved;

  /** {@code saved}: limits a previous agent saved and may not have restored (null: none). */
  GuestThrottle(Hypervisor hv, String domain, String disk, IoTune saved, MirrorListener journal) {
    this.hv = hv;
    this.domain = domain;
    this.disk = disk;
    this.saved = saved;
    this.journal = journal;
  }

  boolean active() {
    return saved != null;
  }

  /** Applies the cap; returns the limits it replaced. */
  IoTune apply(long capBytesPerSec) {
    IoTune before = saved;
    if (before == null) {
      before = hv.ioTune(domain, disk);
      journal.onGuestLimitsSaved(before); // durable first: a crash after this restores them
      saved = before;
    }
    hv.setIoTune(domain, disk, before.throttledTo(capBytesPerSec));
    return before;
  }

  /** Puts back the limits saved by {@link #apply}; returns false if there was nothing to do. */
  boolean restore() {
    if (saved == null) {
      return false;
    }
    try {
      hv.setIoTune(domain, disk, saved);
      saved = null;
      forget();
      return true;
    } catch (FerryException e) {
      // The domain may be gone (then so are its limits); otherwise say so loudly.
      if (hv.runningDomains().contains(domain)) {
        log.error("domain {} disk {}: could not restore I/O limits {}: {}", domain, disk, saved,
            e.getMessage());
        throw e;
      }
      saved = null;
      forget();
      return false;
    }
  }

  private void forget() {
    try {
      journal.onGuestLimitsSaved(null);
    } catch (FerryException e) {
      // The limits are back; a stale record only makes a restarted agent set them again.
      log.warn("domain {} disk {}: restored limits not recorded: {}", domain, disk,
          e.getMessage());
    }
  }
}
