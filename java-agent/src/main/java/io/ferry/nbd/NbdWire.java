package io.ferry.nbd;

import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ByteChannel;

/** Exact reads and writes of big-endian fields on one connection's channel. */
final class NbdWire {

  private final ByteChannel channel;

  NbdWire(ByteChannel channel) {
    this.channel = channel;
  }

  /** Fills {@code buf} completely; EOF before that is an {@link EOFException}. */
  void readFully(ByteBuffer buf) throws IOException {
    while (buf.hasRemaining()) {
      if (channel.read(buf) < 0) {
        throw new EOFException("client closed the connection");
      }
    }
    buf.flip();
  }

  ByteBuffer read(int length) throws IOException {
    ByteBuffer buf = ByteBuffer.allocate(length);
    readFully(buf);
    return buf;
  }

  /** Reads and drops {@code length} bytes in bounded chunks (a payload we refuse). */
  void skip(long length) throws IOException {
    ByteBuffer scratch = ByteBuffer.allocate(64 * 1024);
    while (length > 0) {
      scratch.clear().limit((int) Math.min(scratch.capacity(), length));
      readFully(scratch);
      length -= scratch.limit();
    }
  }

  void write(ByteBuffer... bufs) throws IOException {
    for (ByteBuffer b : bufs) {
      while (b.hasRemaining()) {
        channel.write(b);
      }
    }
  }
}
