package io.ferry.endpoint;

import io.ferry.device.BlockDevice;
import io.ferry.error.FerryException;
import io.ferry.error.Reason;
import io.ferry.journal.RecordWriter;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * A file destination. One the job creates is written as a hidden part file next to its final
 * name ({@code .NAME.ferry-part}) and renamed at commit, so an unfinished copy is never visible
 * under the final name; abandoning it deletes the part file and nothing else. A pre-existing
 * destination is written in place: commit only flushes, abandon leaves it.
 */
final class FileDestination implements Destination {

  static final String PART_SUFFIX = ".ferry-part";

  private final Path target;
  private final Path part;
  private final BlockDevice device;
  private final boolean created;

  FileDestination(Path target, BlockDevice device, boolean created) {
    this.target = target;
    this.part = partFor(target);
    this.device = device;
    this.created = created;
  }

  static Path partFor(Path target) {
    return target.resolveSibling("." + target.getFileName() + PART_SUFFIX);
  }

  @Override
  public BlockDevice device() {
    return device;
  }

  @Override
  public boolean created() {
    return created;
  }

  @Override
  public void commit() throws IOException {
    if (!created) {
      device.flush();
      return;
    }
    if (!Files.exists(part)) {
      if (Files.exists(target)) {
        return; // committed before (a resumed COMMITTING job runs this again)
      }
      throw new FerryException(Reason.NOT_FOUND, "destination part file " + part.getFileName()
          + " is gone before commit; start the copy again");
    }
    if (Files.exists(target)) {
      throw new FerryException(Reason.ALREADY_EXISTS, "destination " + target.getFileName()
          + " appeared while the job ran and was left alone; the copy is discarded: move that file"
          + " away and start the copy again");
    }
    device.flush();
    Files.move(part, target, StandardCopyOption.ATOMIC_MOVE);
    RecordWriter.fsyncDirectory(target.getParent());
  }

  @Override
  public void abandon() throws IOException {
    close();
    if (created && Files.deleteIfExists(part)) {
      RecordWriter.fsyncDirectory(part.getParent());
    }
  }

  @Override
  public void close() throws IOException {
    device.close();
  }
}
