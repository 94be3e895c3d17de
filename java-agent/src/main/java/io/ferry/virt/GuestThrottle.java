package io.ferry.virt;

import io.ferry.error.FerryException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Caps a guest disk's writes for a while and puts its previous limits back. {@link #restore} is
 * idempotent and safe to call whatever happened; the saved limits are also handed to the caller
 * (in the "throttle" event) so a restarted agent can restore them.
 */
final class GuestThrottle {

  private static final Logger log = LoggerFactory.getLogger(GuestThrottle.class);

  private final Hypervisor hv;
  private final String domain;
  private final String disk;
  private IoTune saved;

  GuestThrottle(Hypervisor hv, String domain, String disk, IoTune saved) {
    this.hv = hv;
    this.domain = domain;
    this.disk = disk;
    this.saved = saved;
  }

  boolean active() {
    return saved != null;
  }

  /** Applies the cap; returns the limits it replaced. */
  IoTune apply(long capBytesPerSec) {
    IoTune before = saved != null ? saved : hv.ioTune(domain, disk);
    hv.setIoTune(domain, disk, before.throttledTo(capBytesPerSec));
    saved = before;
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
      return true;
    } catch (FerryException e) {
      // The domain may be gone (then so are its limits); otherwise say so loudly.
      if (hv.runningDomains().contains(domain)) {
        log.error("domain {} disk {}: could not restore I/O limits {}: {}", domain, disk, saved,
            e.getMessage());
        throw e;
      }
      saved = null;
      return false;
    }
  }
}
