package io.ferry.endpoint;

import io.ferry.device.BlockDevice;
import io.ferry.error.FerryException;
import io.ferry.error.Reason;
import io.ferry.journal.RecordWriter;
import io.ferry.proto.v1.CopyOptions;
import io.ferry.proto.v1.DiskFormat;
import io.ferry.proto.v1.Endpoint;
import io.ferry.proto.v1.FileImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * File endpoints: images under the configured {@link FileRoots}, in any format the
 * {@link FormatRegistry} has a codec for.
 */
public final class FileBackend implements Backend {

  private final FileRoots roots;
  private final FormatRegistry formats;

  public FileBackend(FileRoots roots, FormatRegistry formats) {
    this.roots = roots;
    this.formats = formats;
  }

  public FileRoots roots() {
    return roots;
  }

  @Override
  public String key(Endpoint endpoint, String field) {
    return "file:" + roots.resolve(endpoint.getFile(), field);
  }

  @Override
  public BlockDevice open(Endpoint endpoint, String field, boolean readOnly) throws IOException {
    FileImage f = endpoint.getFile();
    Path path = existingFile(f, field);
    DiskFormat format = formats.formatOf(path, f.getFormat());
    return formats.codec(format, field + ".file.format").open(path, readOnly);
  }

  @Override
  public void checkDestination(Endpoint endpoint, String field, long size, CopyOptions options)
      throws IOException {
    FileImage f = endpoint.getFile();
    Path path = roots.resolve(f, field);
    if (options.getCreateDestination()) {
      formats.codec(destinationFormat(f, options), field + ".file.format");
      refuseExisting(path, f, field);
      return;
    }
    try (BlockDevice d = open(endpoint, field, true)) {
      checkSize(d, size, field);
    }
  }

  @Override
  public Destination create(Endpoint endpoint, String field, long size, CopyOptions options)
      throws IOException {
    FileImage f = endpoint.getFile();
    Path path = roots.resolve(f, field);
    FormatRegistry.Codec codec = formats.codec(destinationFormat(f, options), field + ".file.format");
    refuseExisting(path, f, field);
    Path part = FileDestination.partFor(path);
    Files.deleteIfExists(part); // left by a job that never got as far as the journal
    BlockDevice device = codec.create(part, size);
    RecordWriter.fsyncDirectory(part.getParent());
    return new FileDestination(path, device, true);
  }

  @Override
  public Destination reopen(Endpoint endpoint, String field, CopyOptions options)
      throws IOException {
    FileImage f = endpoint.getFile();
    Path path = roots.resolve(f, field);
    Path part = FileDestination.partFor(path);
    FormatRegistry.Codec codec = formats.codec(destinationFormat(f, options), field + ".file.format");
    if (Files.exists(part)) {
      return new FileDestination(path, codec.open(part, false), true);
    }
    if (Files.exists(path)) {
      // Renamed by a commit that finished before the agent stopped.
      return new FileDestination(path, codec.open(path, false), true);
    }
    throw FerryException.notFound(field + ".file.path: the unfinished destination "
        + part.getFileName() + " is gone; start the copy again");
  }

  @Override
  public Destination existing(Endpoint endpoint, String field, long minSize) throws IOException {
    BlockDevice d = open(endpoint, field, false);
    try {
      checkSize(d, minSize, field);
    } catch (RuntimeException e) {
      d.close();
      throw e;
    }
    return new FileDestination(roots.resolve(endpoint.getFile(), field), d, false);
  }

  @Override
  public void delete(Endpoint endpoint, String field) throws IOException {
    Path path = existingFile(endpoint.getFile(), field);
    Files.delete(path);
    RecordWriter.fsyncDirectory(path.getParent());
  }

  @Override
  public String describe(Endpoint endpoint) {
    FileImage f = endpoint.getFile();
    return "file " + (f.getRoot().isEmpty() ? FileRoots.DEFAULT : f.getRoot()) + ":" + f.getPath();
  }

  private Path existingFile(FileImage f, String field) {
    Path path = roots.resolve(f, field);
    if (!Files.isRegularFile(path)) {
      throw FerryException.notFound(field + ".file.path: '" + f.getPath() + "' does not exist in root '"
          + roots.rootId(f, field) + "'" + (Files.exists(path) ? " as a regular file" : ""));
    }
    return path;
  }

  private static void refuseExisting(Path path, FileImage f, String field) {
    if (FileRoots.exists(path)) {
      throw new FerryException(Reason.ALREADY_EXISTS, field + ".file.path: '" + f.getPath()
          + "' exists already; choose another name, or set create_destination=false to write "
          + "into it");
    }
  }

  private static void checkSize(BlockDevice d, long size, String field) throws IOException {
    if (d.size() < size) {
      throw FerryException.precondition(field + ": " + d.describe() + " holds " + d.size()
          + " bytes, the source " + size + "; grow it or let the job create the destination");
    }
  }

  private static DiskFormat destinationFormat(FileImage f, CopyOptions options) {
    DiskFormat format = f.getFormat();
    if (format == DiskFormat.DISK_FORMAT_UNSPECIFIED) {
      format = options.getDestinationFormat();
    }
    return format == DiskFormat.DISK_FORMAT_UNSPECIFIED ? DiskFormat.RAW : format;
  }
}
