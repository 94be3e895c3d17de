package io.ferry.nbd;

import java.io.IOException;

/** A client broke the protocol in a way that leaves no choice but to drop the connection. */
final class NbdProtocolException extends IOException {
  NbdProtocolException(String message) {
    super(message);
  }
}
