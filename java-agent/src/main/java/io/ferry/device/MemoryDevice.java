package io.ferry.device;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentNavigableMap;
import java.util.concurrent.ConcurrentSkipListMap;

/**
 * A sparse in-memory device: a map from block index to block contents, where an absent block is a
 * hole. For tests and the demo; extents are reported at block granularity (64 KiB by default).
 *
 * <p>Concurrent calls on disjoint ranges are safe; calls touching the same block are serialised
 * by a striped lock so that a zeroing never loses a concurrent write to another part of the block.
 */
public final class MemoryDevice implements BlockDevice {

  public static final int DEFAULT_BLOCK = 64 * 1024;
  private static final int STRIPES = 64;

  private final String name;
  private final long size;
  private final int blockSize;
  private final ConcurrentSkipListMap<Long, byte[]> blocks = new ConcurrentSkipListMap<>();
  private final Object[] stripes = new Object[STRIPES];
  private volatile boolean closed;

  public MemoryDevice(String name, long size) {
    this(name, size, DEFAULT_BLOCK);
  }

  public MemoryDevice(String name, long size, int blockSize) {
    if (size < 0 || blockSize <= 0 || Integer.bitCount(blockSize) != 1) {
      throw new IllegalArgumentException("size >= 0 and a power-of-two block size are required");
    }
    this.name = name;
    this.size = size;
    this.blockSize = blockSize;
    for (int i = 0; i < STRIPES; i++) {
      stripes[i] = new Object();
    }
  }

  @Override
  public long size() {
    return size;
  }

  /** Bytes held in allocated blocks. */
  public long allocatedBytes() {
    return (long) blocks.size() * blockSize;
  }

  @Override
  public void read(long offset, ByteBuffer dst) throws IOException {
    check(offset, dst.remaining());
    long pos = offset;
    while (dst.hasRemaining()) {
      long index = pos / blockSize;
      int within = (int) (pos % blockSize);
      int n = Math.min(dst.remaining(), blockSize - within);
      synchronized (stripe(index)) {
        byte[] block = blocks.get(index);
        if (block == null) {
          for (int i = 0; i < n; i++) {
            dst.put((byte) 0);
          }
        } else {
          dst.put(block, within, n);
        }
      }
      pos += n;
    }
  }

  @Override
  public void write(long offset, ByteBuffer src) throws IOException {
    check(offset, src.remaining());
    long pos = offset;
    while (src.hasRemaining()) {
      long index = pos / blockSize;
      int within = (int) (pos % blockSize);
      int n = Math.min(src.remaining(), blockSize - within);
      synchronized (stripe(index)) {
        byte[] block = blocks.computeIfAbsent(index, k -> new byte[blockSize]);
        src.get(block, within, n);
      }
      pos += n;
    }
  }

  @Override
  public void writeZeroes(long offset, long length, boolean deallocate) throws IOException {
    check(offset, length);
    long pos = offset;
    long end = offset + length;
    while (pos < end) {
      long index = pos / blockSize;
      int within = (int) (pos % blockSize);
      int n = (int) Math.min(end - pos, blockSize - within);
      synchronized (stripe(index)) {
        byte[] block = blocks.get(index);
        if (block != null) {
          if (n == blockSize && deallocate) {
            blocks.remove(index);
          } else {
            java.util.Arrays.fill(block, within, within + n, (byte) 0);
          }
        } else if (!deallocate) {
          blocks.put(index, new byte[blockSize]);
        }
      }
      pos += n;
    }
  }

  @Override
  public List<Extent> extents(long offset, long length) throws IOException {
    check(offset, length);
    List<Extent> out = new ArrayList<>();
    if (length == 0) {
      return out;
    }
    long end = offset + length;
    ConcurrentNavigableMap<Long, byte[]> range =
        blocks.subMap(offset / blockSize, true, (end - 1) / blockSize, true);
    long runStart = -1;
    long runEnd = -1;
    for (Map.Entry<Long, byte[]> e : range.entrySet()) {
      long s = Math.max(offset, e.getKey() * blockSize);
      long t = Math.min(end, (e.getKey() + 1) * blockSize);
      if (s == runEnd) {
        runEnd = t;
        continue;
      }
      if (runStart >= 0) {
        out.add(new Extent(runStart, runEnd - runStart));
      }
      runStart = s;
      runEnd = t;
    }
    if (runStart >= 0) {
      out.add(new Extent(runStart, runEnd - runStart));
    }
    return out;
  }

  @Override
  public void flush() {}

  @Override
  public boolean canExtents() {
    return true;
  }

  @Override
  public boolean canDeallocate() {
    return true;
  }

  @Override
  public boolean isReadOnly() {
    return false;
  }

  @Override
  public String describe() {
    return "memory:" + name;
  }

  @Override
  public void close() {
    closed = true;
  }

  private Object stripe(long index) {
    return stripes[(int) (index % STRIPES)];
  }

  private void check(long offset, long length) throws IOException {
    if (closed) {
      throw new IOException(describe() + " is closed");
    }
    if (offset < 0 || length < 0 || offset + length > size) {
      throw new IOException(
          describe() + ": range [" + offset + "+" + length + ") outside size " + size);
    }
  }
}
