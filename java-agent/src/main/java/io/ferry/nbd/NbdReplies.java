package io.ferry.nbd;

import static io.ferry.nbd.NbdProtocol.*;

import io.ferry.device.Extent;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Writes simple and structured replies for one connection. Each reply goes out whole: requests
 * served concurrently never interleave their chunks.
 */
final class NbdReplies {

  private final NbdWire wire;
  private final boolean structured;

  NbdReplies(NbdWire wire, boolean structured) {
    this.wire = wire;
    this.structured = structured;
  }

  /** Success without payload, or an error, in whichever reply form was negotiated. */
  synchronized void status(long handle, int error) throws IOException {
    if (!structured || error == 0) {
      simple(handle, error, null);
      return;
    }
    byte[] msg = ("error " + error).getBytes(StandardCharsets.US_ASCII);
    ByteBuffer payload = ByteBuffer.allocate(6 + msg.length).putInt(error)
        .putShort((short) msg.length).put(msg).flip();
    chunk(handle, REPLY_FLAG_DONE, REPLY_TYPE_ERROR, payload);
  }

  synchronized void simple(long handle, int error, ByteBuffer data) throws IOException {
    ByteBuffer head = ByteBuffer.allocate(16).putInt(SIMPLE_REPLY_MAGIC).putInt(error)
        .putLong(handle).flip();
    if (data == null) {
      wire.write(head);
    } else {
      wire.write(head, data);
    }
  }

  /**
   * A structured read: data chunks for the extents, hole chunks between them, the last one
   * flagged DONE. {@code data} holds the whole range already read.
   */
  synchronized void read(long handle, long offset, ByteBuffer data, List<Extent> extents) throws IOException {
    long end = offset + data.remaining();
    long pos = offset;
    int base = data.position();
    for (Extent e : extents) {
      // Clipped again here: a chunk outside the request would corrupt the reply stream.
      long from = Math.max(e.offset(), pos);
      long to = Math.min(e.end(), end);
      if (to <= from) {
        continue;
      }
      if (from > pos) {
        hole(handle, pos, from - pos, false);
      }
      boolean last = to >= end;
      ByteBuffer slice = data.duplicate();
      slice.position(base + (int) (from - offset)).limit(base + (int) (to - offset));
      ByteBuffer head = ByteBuffer.allocate(8).putLong(from).flip();
      chunkHead(handle, last ? REPLY_FLAG_DONE : 0, REPLY_TYPE_OFFSET_DATA,
          8 + slice.remaining());
      wire.write(head, slice);
      pos = to;
    }
    if (pos < end) {
      hole(handle, pos, end - pos, true);
    }
  }

  private void hole(long handle, long offset, long length, boolean last) throws IOException {
    ByteBuffer payload = ByteBuffer.allocate(12).putLong(offset).putInt((int) length).flip();
    chunk(handle, last ? REPLY_FLAG_DONE : 0, REPLY_TYPE_OFFSET_HOLE, payload);
  }

  /** One BLOCK_STATUS chunk for base:allocation: (length, flags) pairs. */
  synchronized void blockStatus(long handle, List<long[]> descriptors) throws IOException {
    ByteBuffer payload = ByteBuffer.allocate(4 + 8 * descriptors.size()).putInt(BASE_ALLOCATION_ID);
    for (long[] d : descriptors) {
      payload.putInt((int) d[0]).putInt((int) d[1]);
    }
    chunk(handle, REPLY_FLAG_DONE, REPLY_TYPE_BLOCK_STATUS, payload.flip());
  }

  private void chunk(long handle, int flags, int type, ByteBuffer payload) throws IOException {
    chunkHead(handle, flags, type, payload.remaining());
    wire.write(payload);
  }

  private void chunkHead(long handle, int flags, int type, int length) throws IOException {
    ByteBuffer head = ByteBuffer.allocate(20).putInt(STRUCTURED_REPLY_MAGIC)
        .putShort((short) flags).putShort((short) type).putLong(handle).putInt(length).flip();
    wire.write(head);
  }
}
