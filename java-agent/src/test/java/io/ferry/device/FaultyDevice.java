package io.ferry.device;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Fails chosen operations with an IOException (like nbdkit's error filter): the Nth read or
 * write, or any read or write that touches a given offset. Everything else passes through.
 */
public final class FaultyDevice extends ForwardingDevice {

  private final AtomicInteger reads = new AtomicInteger();
  private final AtomicInteger writes = new AtomicInteger();
  private volatile int failReadNumber = -1;
  private volatile int failWriteNumber = -1;
  private volatile long failAtOffset = -1;
  private volatile boolean failFlush;

  public FaultyDevice(BlockDevice delegate) {
    super(delegate);
  }

  /** The {@code n}th read (1-based) fails. */
  public FaultyDevice failRead(int n) {
    failReadNumber = n;
    return this;
  }

  /** The {@code n}th write or zeroing (1-based) fails. */
  public FaultyDevice failWrite(int n) {
    failWriteNumber = n;
    return this;
  }

  /** Every read, write or zeroing touching byte {@code offset} fails. */
  public FaultyDevice failAt(long offset) {
    failAtOffset = offset;
    return this;
  }

  public FaultyDevice failFlush() {
    failFlush = true;
    return this;
  }

  @Override
  public void read(long offset, ByteBuffer dst) throws IOException {
    check("read", reads.incrementAndGet() == failReadNumber, offset, dst.remaining());
    super.read(offset, dst);
  }

  @Override
  public void write(long offset, ByteBuffer src) throws IOException {
    check("write", writes.incrementAndGet() == failWriteNumber, offset, src.remaining());
    super.write(offset, src);
  }

  @Override
  public void writeZeroes(long offset, long length, boolean deallocate) throws IOException {
    check("zero", writes.incrementAndGet() == failWriteNumber, offset, length);
    super.writeZeroes(offset, length, deallocate);
  }

  @Override
  public void flush() throws IOException {
    if (failFlush) {
      throw new IOException("injected flush failure on " + describe());
    }
    super.flush();
  }

  private void check(String op, boolean nth, long offset, long length) throws IOException {
    long at = failAtOffset;
    if (nth || (at >= 0 && offset <= at && at < offset + length)) {
      throw new IOException("injected " + op + " failure at " + offset + " on " + describe());
    }
  }
}
