package io.ferry.device.file;

import com.sun.jna.LastErrorException;
import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.Platform;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The few libc calls Java lacks (SEEK_DATA/SEEK_HOLE and fallocate), mapped 1:1. Loaded lazily
 * on first use; when it cannot be loaded, files still work but report no holes.
 */
interface LibC extends Library {

  int O_RDONLY = 0;
  int O_RDWR = 2;
  int O_CLOEXEC = 0x80000;
  int SEEK_DATA = 3;
  int SEEK_HOLE = 4;
  int FALLOC_FL_KEEP_SIZE = 0x01;
  int FALLOC_FL_PUNCH_HOLE = 0x02;
  int FALLOC_FL_ZERO_RANGE = 0x10;
  int EINVAL = 22;
  int ENXIO = 6;
  int ENOSYS = 38;
  int EOPNOTSUPP = 95;

  int open(String path, int flags) throws LastErrorException;

  long lseek(int fd, long offset, int whence) throws LastErrorException;

  int fallocate(int fd, int mode, long offset, long length) throws LastErrorException;

  int close(int fd) throws LastErrorException;

  /** libc, or empty (logged once) when JNA or libc is unavailable on this platform. */
  static Optional<LibC> get() {
    return Holder.INSTANCE;
  }

  /** Lazy holder: nothing native is touched until a file device is opened. */
  final class Holder {
    private static final Logger LOG = LoggerFactory.getLogger(LibC.class);
    static final Optional<LibC> INSTANCE = load();

    private Holder() {}

    private static Optional<LibC> load() {
      if (!Platform.isLinux()) {
        LOG.warn("not on Linux: raw files will report no holes and holes will be written as zeros");
        return Optional.empty();
      }
      try {
        return Optional.of(Native.load(Platform.C_LIBRARY_NAME, LibC.class));
      } catch (LinkageError | RuntimeException e) {
        LOG.warn(
            "libc could not be loaded through JNA ({}): raw files will report no holes and holes"
                + " will be written as zeros",
            e.toString());
        return Optional.empty();
      }
    }
  }
}
