package io.ferry.journal;

import java.io.IOException;

/** A journal record that cannot be trusted: bad magic, bad CRC, truncated, unparsable. */
public class CorruptRecordException extends IOException {

  public CorruptRecordException(String message) {
    super(message);
  }

  public CorruptRecordException(String message, Throwable cause) {
    super(message, cause);
  }
}
