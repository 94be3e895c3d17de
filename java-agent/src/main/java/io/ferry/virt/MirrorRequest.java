package io.ferry.virt;

import io.ferry.error.FerryException;

/**
 * One live mirror: copy {@code disk} of running {@code domain} to {@code destination}, which
 * exists already (prepared by the caller, reused by QEMU).
 *
 * @param bandwidth initial cap in bytes/s; 0: none
 * @param granularity dirty-bitmap granularity in bytes (power of two, 512 B..64 MiB); 0: QEMU's
 * @param bufSize bytes in flight; 0: QEMU's default
 * @param pivot switch the guest to the destination at READY (Nova's swap flow only, rule 4)
 * @param restoreIoTune after an agent restart: the guest limits saved before a throttle that may
 *     still be in force (from the journal); null otherwise
 */
public record MirrorRequest(
    String domain,
    String disk,
    DestinationDisk destination,
    long bandwidth,
    int granularity,
    long bufSize,
    Convergence convergence,
    boolean pivot,
    IoTune restoreIoTune) {

  public MirrorRequest {
    if (domain == null || domain.isBlank()) {
      throw FerryException.invalid("domain", "a libvirt domain name or uuid is required");
    }
    if (disk == null || disk.isBlank()) {
      throw FerryException.invalid("disk_target", "a disk target such as vdb is required");
    }
    if (destination == null) {
      throw FerryException.invalid("destination", "required");
    }
    if (bandwidth < 0 || bufSize < 0) {
      throw FerryException.invalid("bandwidth/buffer_size", "must not be negative");
    }
    if (granularity != 0 && (Integer.bitCount(granularity) != 1 || granularity < 512
        || granularity > (64 << 20))) {
      throw FerryException.invalid("granularity", "must be a power of two from 512 B to 64 MiB");
    }
    if (convergence == null) {
      convergence = Convergence.none(null);
    }
  }

  public MirrorRequest(String domain, String disk, DestinationDisk destination, long bandwidth,
      Convergence convergence, boolean pivot) {
    this(domain, disk, destination, bandwidth, 0, 0, convergence, pivot, null);
  }

  String name() {
    return domain + "/" + disk;
  }
}
