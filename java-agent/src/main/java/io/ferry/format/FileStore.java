package io.ferry.format;

import io.ferry.device.BlockDevice;
import io.ferry.device.Extent;
import io.ferry.device.file.FileDevice;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A file as a growable byte store under a codec: unlike a raw-disk {@code FileDevice}, whose size
 * is the disk's, writes past the end grow the file (a qcow2 or vhd image grows as it is
 * written).
 */
public final class FileStore implements BlockDevice {

  private final FileChannel ch;
  private final Path path;
  private final boolean readOnly;
  private FileDevice holes;
  private final ReentrantLock writeLock = new ReentrantLock();

  private FileStore(Path path, boolean readOnly, boolean create) throws IOException {
    this.path = path;
    this.readOnly = readOnly;
    this.ch = readOnly
        ? FileChannel.open(path, StandardOpenOption.READ)
        : FileChannel.open(path, StandardOpenOption.READ, StandardOpenOption.WRITE,
            create ? StandardOpenOption.CREATE_NEW : StandardOpenOption.READ);
  }

  public static FileStore open(Path path, boolean readOnly) throws IOException {
    return new FileStore(path, readOnly, false);
  }

  /** Creates a new empty file; fails if it exists. */
  public static FileStore create(Path path) throws IOException {
    return new FileStore(path, false, true);
  }

  @Override
  public long size() throws IOException {
    return ch.size();
  }

  @Override
  public void read(long offset, ByteBuffer dst) throws IOException {
    while (dst.hasRemaining()) {
      int n = ch.read(dst, offset);
      if (n < 0) {
        throw new IOException("read beyond end of " + path);
      }
      offset += n;
    }
  }

  @Override
  public void write(long offset, ByteBuffer src) throws IOException {
    writeLock.lock(); // one writer at a time: see FileDevice's write lock
    try {
      while (src.hasRemaining()) {
        offset += ch.write(src, offset);
      }
    } finally {
      writeLock.unlock();
    }
  }

  @Override
  public void flush() throws IOException {
    ch.force(false);
  }

  @Override
  public void writeZeroes(long offset, long length, boolean deallocate) throws IOException {
    ByteBuffer zeros = ByteBuffer.allocate((int) Math.min(length, 1 << 20));
    for (long done = 0; done < length; ) {
      int n = (int) Math.min(zeros.capacity(), length - done);
      zeros.clear().limit(n);
      write(offset + done, zeros);
      done += n;
    }
  }

  /**
   * The file's data ranges as the file system reports them (SEEK_DATA through a read-only
   * {@link FileDevice}) within the length the file had when first asked; beyond it, all data.
   */
  @Override
  public synchronized List<Extent> extents(long offset, long length) throws IOException {
    if (holes == null) {
      holes = FileDevice.openReadOnly(path);
    }
    if (offset + length > holes.size()) {
      return List.of(new Extent(offset, length));
    }
    return holes.extents(offset, length);
  }

  @Override
  public boolean canExtents() {
    return true;
  }

  @Override
  public boolean canDeallocate() {
    return false;
  }

  @Override
  public boolean isReadOnly() {
    return readOnly;
  }

  @Override
  public String describe() {
    return "file " + path.getFileName();
  }

  @Override
  public synchronized void close() throws IOException {
    ch.close(); // idempotent
    if (holes != null) {
      holes.close();
    }
  }
}
