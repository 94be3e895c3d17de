package io.ferry.journal;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.zip.CRC32C;

/**
 * The bytes of one journal record file. The layout is documented on {@link RecordWriter}, which
 * is where records are written; this class only encodes and checks it.
 */
final class RecordFormat {

  /** "FRYJ": Ferry job journal. */
  static final int MAGIC = 0x4652594A;

  static final short VERSION = 1;

  /** magic(4) + version(2) + flags(2) + payload length(4). */
  static final int HEADER_BYTES = 12;

  static final int CRC_BYTES = 4;

  /** A record larger than this is refused on write and treated as corrupt on read. */
  static final int MAX_PAYLOAD = 64 << 20;

  private RecordFormat() {}

  static byte[] encode(byte[] payload) {
    if (payload.length > MAX_PAYLOAD) {
      throw new IllegalArgumentException("journal record too large: " + payload.length + " bytes");
    }
    ByteBuffer buf = ByteBuffer.allocate(HEADER_BYTES + payload.length + CRC_BYTES);
    buf.order(ByteOrder.BIG_ENDIAN);
    buf.putInt(MAGIC).putShort(VERSION).putShort((short) 0).putInt(payload.length).put(payload);
    buf.putInt((int) crc(buf.array(), HEADER_BYTES + payload.length));
    return buf.array();
  }

  /** Returns the payload of {@code record}, or throws saying what is wrong with it. */
  static byte[] decode(byte[] record) throws CorruptRecordException {
    if (record.length < HEADER_BYTES + CRC_BYTES) {
      throw new CorruptRecordException("truncated: " + record.length + " bytes, header needs "
          + (HEADER_BYTES + CRC_BYTES));
    }
    ByteBuffer buf = ByteBuffer.wrap(record).order(ByteOrder.BIG_ENDIAN);
    int magic = buf.getInt();
    if (magic != MAGIC) {
      throw new CorruptRecordException(String.format("bad magic 0x%08x", magic));
    }
    short version = buf.getShort();
    if (version != VERSION) {
      throw new CorruptRecordException("unknown record version " + version);
    }
    buf.getShort(); // flags: none defined yet
    int length = buf.getInt();
    if (length < 0 || length > MAX_PAYLOAD) {
      throw new CorruptRecordException("bad payload length " + length);
    }
    int expected = HEADER_BYTES + length + CRC_BYTES;
    if (record.length != expected) {
      throw new CorruptRecordException((record.length < expected ? "truncated" : "trailing bytes")
          + ": " + record.length + " bytes, header says " + expected);
    }
    int stored = buf.getInt(HEADER_BYTES + length);
    int actual = (int) crc(record, HEADER_BYTES + length);
    if (stored != actual) {
      throw new CorruptRecordException(
          String.format("CRC32C mismatch: stored 0x%08x, computed 0x%08x", stored, actual));
    }
    byte[] payload = new byte[length];
    System.arraycopy(record, HEADER_BYTES, payload, 0, length);
    return payload;
  }

  private static long crc(byte[] bytes, int length) {
    CRC32C crc = new CRC32C();
    crc.update(bytes, 0, length);
    return crc.getValue();
  }
}
