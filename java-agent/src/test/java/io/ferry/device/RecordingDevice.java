package io.ferry.device;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/** Records every write and zeroing made through it, in order (like nbdcopy's test scripts). */
public final class RecordingDevice extends ForwardingDevice {

  /** One call: {@code kind} is "write", "zero" (allocated zeros) or "trim" (deallocate). */
  public record Op(String kind, long offset, long length) {
    @Override
    public String toString() {
      return kind + "(" + offset + "," + length + ")";
    }
  }

  private final List<Op> ops = new ArrayList<>();
  private int flushes;

  public RecordingDevice(BlockDevice delegate) {
    super(delegate);
  }

  @Override
  public void write(long offset, ByteBuffer src) throws IOException {
    long length = src.remaining();
    super.write(offset, src);
    record(new Op("write", offset, length));
  }

  @Override
  public void writeZeroes(long offset, long length, boolean deallocate) throws IOException {
    super.writeZeroes(offset, length, deallocate);
    record(new Op(deallocate ? "trim" : "zero", offset, length));
  }

  @Override
  public void flush() throws IOException {
    super.flush();
    synchronized (this) {
      flushes++;
    }
  }

  private synchronized void record(Op op) {
    ops.add(op);
  }

  /** Every call so far, sorted by offset (calls from parallel workers come in any order). */
  public synchronized List<Op> opsByOffset() {
    List<Op> sorted = new ArrayList<>(ops);
    sorted.sort(java.util.Comparator.comparingLong(Op::offset).thenComparing(Op::kind));
    return sorted;
  }

  public synchronized List<Op> ops() {
    return new ArrayList<>(ops);
  }

  public synchronized long bytes(String kind) {
    return ops.stream().filter(o -> o.kind().equals(kind)).mapToLong(Op::length).sum();
  }

  public synchronized int flushes() {
    return flushes;
  }

  public synchronized void clear() {
    ops.clear();
  }
}
