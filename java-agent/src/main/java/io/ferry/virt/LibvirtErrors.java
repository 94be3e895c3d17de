package io.ferry.virt;

import io.ferry.error.FerryException;
import io.ferry.error.Reason;
import org.libvirt.Error.ErrorNumber;
import org.libvirt.LibvirtException;

/**
 * The one place where libvirt's errors become {@link FerryException}s. {@code what} names the
 * object and operation ("domain vm1: blockCopy of vdb") so the message says where it failed.
 */
final class LibvirtErrors {

  private LibvirtErrors() {}

  static FerryException convert(String what, LibvirtException e) {
    ErrorNumber code = e.getError() == null ? null : e.getError().getCode();
    String detail = e.getError() == null ? e.getMessage() : e.getError().getMessage();
    return new FerryException(reasonOf(code), what + ": " + detail + hint(code), e);
  }

  /** For errors read through {@link LibvirtNative}. */
  static FerryException convertNative(String what, LibvirtNative lib) {
    int code = lib.virGetLastErrorCode();
    ErrorNumber number =
        code >= 0 && code < ErrorNumber.values().length ? ErrorNumber.values()[code] : null;
    String detail = lib.virGetLastErrorMessage();
    return new FerryException(reasonOf(number), what + ": " + detail + hint(number));
  }

  static Reason reasonOf(ErrorNumber code) {
    if (code == null) {
      return Reason.INTERNAL;
    }
    return switch (code) {
      case VIR_ERR_NO_DOMAIN, VIR_ERR_NO_SECRET, VIR_ERR_NO_STORAGE_VOL, VIR_ERR_NO_SOURCE ->
          Reason.NOT_FOUND;
      case VIR_ERR_INVALID_ARG, VIR_ERR_XML_ERROR, VIR_ERR_XML_DETAIL, VIR_ERR_NO_TARGET ->
          Reason.INVALID_ARGUMENT;
      case VIR_ERR_OPERATION_INVALID, VIR_ERR_BLOCK_COPY_ACTIVE, VIR_ERR_RESOURCE_BUSY ->
          Reason.FAILED_PRECONDITION;
      case VIR_ERR_NO_CONNECT, VIR_ERR_INVALID_CONN, VIR_ERR_RPC, VIR_ERR_OPERATION_TIMEOUT,
          VIR_ERR_AGENT_UNRESPONSIVE, VIR_ERR_SYSTEM_ERROR ->
          Reason.UNAVAILABLE;
      case VIR_ERR_AUTH_FAILED, VIR_ERR_ACCESS_DENIED, VIR_ERR_OPERATION_DENIED ->
          Reason.PERMISSION_DENIED;
      case VIR_ERR_NO_SUPPORT, VIR_ERR_OPERATION_UNSUPPORTED, VIR_ERR_ARGUMENT_UNSUPPORTED,
          VIR_ERR_CONFIG_UNSUPPORTED ->
          Reason.UNIMPLEMENTED;
      case VIR_ERR_OPERATION_ABORTED -> Reason.CANCELLED;
      default -> Reason.INTERNAL;
    };
  }

  private static String hint(ErrorNumber code) {
    if (code == null) {
      return "";
    }
    return switch (code) {
      case VIR_ERR_NO_DOMAIN -> " (check the domain name or uuid with `virsh list --all`)";
      case VIR_ERR_NO_CONNECT, VIR_ERR_RPC, VIR_ERR_SYSTEM_ERROR ->
          " (is libvirtd running and the URI right?)";
      case VIR_ERR_BLOCK_COPY_ACTIVE, VIR_ERR_OPERATION_INVALID ->
          " (a block job may already run on this disk: list block jobs)";
      default -> "";
    };
  }
}
