package io.ferry.cloud;

import io.ferry.error.FerryException;
import io.ferry.error.Reason;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/**
 * Crash-safe replacement of a small file: write a temporary sibling, fsync it, rename it over
 * the old one, fsync the directory. A reader sees the old content or the new, never a mix.
 */
public final class StateFile {

  private StateFile() {}

  public static void write(Path path, byte[] content) {
    Path abs = path.toAbsolutePath();
    Path tmp = abs.resolveSibling(abs.getFileName() + ".tmp");
    try {
      try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE,
          StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE)) {
        ByteBuffer b = ByteBuffer.wrap(content);
        while (b.hasRemaining()) {
          ch.write(b);
        }
        ch.force(true);
      }
      Files.move(tmp, abs, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      try (FileChannel dir = FileChannel.open(abs.getParent(), StandardOpenOption.READ)) {
        dir.force(true);
      }
    } catch (IOException e) {
      throw new FerryException(Reason.UNAVAILABLE, "cannot write state file " + abs + " ("
          + e.getMessage() + "): check the directory exists and is writable", e);
    }
  }
}
