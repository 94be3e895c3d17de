package io.ferry.nbd;

import static io.ferry.nbd.NbdProtocol.*;

import io.ferry.device.BlockDevice;
import java.io.IOException;

/**
 * What one server exports: a device under a name. A client asking for the empty name gets it
 * too (qemu's {@code nbd+unix:///} and nbdinfo's default).
 */
record NbdExport(BlockDevice device, String name, boolean readOnly) {

  boolean matches(String requested) {
    return requested.isEmpty() || requested.equals(name);
  }

  boolean writable() {
    return !readOnly && !device.isReadOnly();
  }

  /**
   * Transmission flags. CAN_MULTI_CONN is safe: every connection serves the same device, each
   * request completes before its reply, and FLUSH (which waits for the connection's earlier
   * writes) flushes the device for all connections.
   */
  int transmissionFlags() {
    int flags = TF_HAS_FLAGS | TF_SEND_FLUSH | TF_SEND_FUA | TF_CAN_MULTI_CONN;
    if (writable()) {
      flags |= TF_SEND_TRIM | TF_SEND_WRITE_ZEROES;
    } else {
      flags |= TF_READ_ONLY;
    }
    return flags;
  }

  long size() throws IOException {
    return device.size();
  }
}
