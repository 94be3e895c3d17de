package io.ferry.journal;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Reads one journal record file and checks it (format on {@link RecordWriter}). */
public final class RecordReader {

  private RecordReader() {}

  /** The record's payload; {@link CorruptRecordException} if the file cannot be trusted. */
  public static byte[] read(Path file) throws IOException {
    long size = Files.size(file);
    if (size > RecordFormat.HEADER_BYTES + RecordFormat.MAX_PAYLOAD + RecordFormat.CRC_BYTES) {
      throw new CorruptRecordException("file too large for a record: " + size + " bytes");
    }
    return RecordFormat.decode(Files.readAllBytes(file));
  }
}
