package io.ferry.virt;

import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.NativeLong;
import com.sun.jna.Pointer;
import com.sun.jna.ptr.IntByReference;
import com.sun.jna.ptr.LongByReference;
import com.sun.jna.ptr.PointerByReference;

/**
 * What libvirt-java 0.5.4 lacks, bound 1:1 to libvirt's C API (libvirt.so.0). Every function
 * returns -1 on error; the error is then read with {@link #virGetLastErrorCode()} and {@link
 * #virGetLastErrorMessage()} (thread-local in libvirt) and converted by {@link LibvirtErrors}.
 *
 * <p>The {@code Pointer dom} arguments are libvirt-java's own {@code virDomainPtr} (see {@link
 * Hypervisor#pointerOf}): the same connection serves both bindings.
 */
interface LibvirtNative extends Library {

  /** {@code VIR_DOMAIN_BLOCK_JOB_SPEED_BANDWIDTH_BYTES}: bandwidth in bytes/s, not MiB/s. */
  int SPEED_BANDWIDTH_BYTES = 1;

  /** {@code VIR_DOMAIN_AFFECT_LIVE}. */
  int AFFECT_LIVE = 1;

  /**
   * Starts a block copy. Bound here because libvirt-java 0.5.4's blockCopy fails on an empty
   * parameter list (JNA Structure.toArray of length 0).
   */
  int virDomainBlockCopy(Pointer dom, String disk, String destxml, Pointer params, int nparams,
      int flags);

  /** Sets a running block job's bandwidth; 0 means unlimited. */
  int virDomainBlockJobSetSpeed(Pointer dom, String disk, NativeLong bandwidth, int flags);

  /** Sets block I/O limits ({@code total_bytes_sec}, {@code write_bytes_sec}, ...). */
  int virDomainSetBlockIoTune(Pointer dom, String disk, Pointer params, int nparams, int flags);

  /** With {@code params} null and {@code nparams} 0, returns the number of parameters. */
  int virDomainGetBlockIoTune(
      Pointer dom, String disk, Pointer params, IntByReference nparams, int flags);

  int virTypedParamsAddULLong(
      PointerByReference params,
      IntByReference nparams,
      IntByReference maxparams,
      String name,
      long value);

  int virTypedParamsAddUInt(
      PointerByReference params,
      IntByReference nparams,
      IntByReference maxparams,
      String name,
      int value);

  int virTypedParamsGetULLong(Pointer params, int nparams, String name, LongByReference value);

  void virTypedParamsFree(Pointer params, int nparams);

  /** Frees the strings inside an array libvirt filled, not the array itself. */
  void virTypedParamsClear(Pointer params, int nparams);

  int virGetLastErrorCode();

  String virGetLastErrorMessage();

  /** Loads libvirt.so.0 on first use, with a clear error when it is missing. */
  static LibvirtNative load() {
    return Holder.INSTANCE;
  }

  /** Lazy holder: nothing is loaded until a caller needs a native function. */
  final class Holder {
    static final LibvirtNative INSTANCE = Native.load("virt", LibvirtNative.class);

    private Holder() {}
  }

  /** Size of one {@code virTypedParameter}: field[80], int type, 8-byte union. */
  int TYPED_PARAM_SIZE = 96;
}
