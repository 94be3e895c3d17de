package io.ferry.virt;

import com.sun.jna.Memory;
import com.sun.jna.Pointer;
import com.sun.jna.ptr.IntByReference;
import com.sun.jna.ptr.LongByReference;
import com.sun.jna.ptr.PointerByReference;
import io.ferry.error.FerryException;
import io.ferry.error.Reason;

/**
 * The byte-rate limits of a guest disk (libvirt's block I/O tune), 0 meaning none. QEMU refuses
 * a total limit together with a read or write limit, so {@link #throttledTo} lowers the total
 * when one is set and sets a write limit otherwise.
 */
public record IoTune(long totalBytesSec, long readBytesSec, long writeBytesSec) {

  static final String TOTAL = "total_bytes_sec";
  static final String READ = "read_bytes_sec";
  static final String WRITE = "write_bytes_sec";

  /** These limits with guest writes capped at {@code cap} bytes/s (never raising a limit). */
  public IoTune throttledTo(long cap) {
    if (totalBytesSec > 0) {
      return new IoTune(Math.min(totalBytesSec, cap), 0, 0);
    }
    long write = writeBytesSec > 0 ? Math.min(writeBytesSec, cap) : cap;
    return new IoTune(0, readBytesSec, write);
  }

  static IoTune read(Pointer dom, String disk) {
    LibvirtNative lib = LibvirtNative.load();
    IntByReference n = new IntByReference(0);
    if (lib.virDomainGetBlockIoTune(dom, disk, null, n, 0) < 0) {
      throw LibvirtErrors.convertNative("block I/O tune of " + disk, lib);
    }
    int count = n.getValue();
    if (count == 0) {
      return new IoTune(0, 0, 0);
    }
    Memory params = new Memory((long) count * LibvirtNative.TYPED_PARAM_SIZE);
    params.clear();
    if (lib.virDomainGetBlockIoTune(dom, disk, params, n, 0) < 0) {
      throw LibvirtErrors.convertNative("block I/O tune of " + disk, lib);
    }
    try {
      return new IoTune(
          value(lib, params, n.getValue(), TOTAL),
          value(lib, params, n.getValue(), READ),
          value(lib, params, n.getValue(), WRITE));
    } finally {
      lib.virTypedParamsClear(params, n.getValue());
    }
  }

  private static long value(LibvirtNative lib, Pointer params, int n, String name) {
    LongByReference v = new LongByReference(0);
    return lib.virTypedParamsGetULLong(params, n, name, v) == 1 ? v.getValue() : 0;
  }

  /** Sets the live domain's limits; a field at 0 removes that limit. */
  void apply(Pointer dom, String disk) {
    LibvirtNative lib = LibvirtNative.load();
    PointerByReference params = new PointerByReference();
    IntByReference n = new IntByReference(0);
    IntByReference max = new IntByReference(0);
    // total and read/write are exclusive in QEMU: send only the group in use.
    boolean total = totalBytesSec > 0;
    if (total) {
      add(lib, params, n, max, TOTAL, totalBytesSec);
    } else {
      add(lib, params, n, max, READ, readBytesSec);
      add(lib, params, n, max, WRITE, writeBytesSec);
    }
    try {
      if (lib.virDomainSetBlockIoTune(dom, disk, params.getValue(), n.getValue(),
          LibvirtNative.AFFECT_LIVE) < 0) {
        throw LibvirtErrors.convertNative("set block I/O tune of " + disk, lib);
      }
    } finally {
      lib.virTypedParamsFree(params.getValue(), n.getValue());
    }
  }

  private static void add(LibvirtNative lib, PointerByReference p, IntByReference n,
      IntByReference max, String name, long value) {
    if (lib.virTypedParamsAddULLong(p, n, max, name, value) < 0) {
      throw new FerryException(Reason.INTERNAL, "virTypedParamsAddULLong " + name + " failed");
    }
  }
}
