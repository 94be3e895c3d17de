package io.ferry.online;

import io.ferry.journal.RecordWriter;
import io.ferry.proto.v1.NbdAddress;
import io.ferry.proto.v1.NbdExportInfo;
import java.io.IOException;
import java.io.Reader;
import java.io.StringWriter;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Optional;
import java.util.Properties;

/**
 * {@code <map dir>/<job id>.export}: the export of a completed online conversion that serves on,
 * so that the next agent start serves it again at the same address (the port as bound, even if 0
 * was asked) under the same id. Written when the job commits; deleted when an operator stops the
 * export; left in place at agent shutdown and by a crash. A Java properties file:
 *
 * <pre>
 * id=nbd-1a2b3c4d
 * unix_socket=dst.sock      (or tcp=127.0.0.1:10809)
 * export_name=ferry
 * </pre>
 */
final class ServedExportFile {

  /** What is restored. */
  record Served(String id, NbdAddress address, String exportName) {}

  private final Path path;

  ServedExportFile(Path mapDir, String jobId) {
    this.path = mapDir.resolve(jobId + ".export");
  }

  Path path() {
    return path;
  }

  /**
   * Written to a temporary file, synced and renamed, and the rename synced: a crash leaves the
   * old file or the new, and a power loss after the job's COMPLETED loses neither.
   */
  void write(NbdExportInfo info) throws IOException {
    Properties p = new Properties();
    p.setProperty("id", info.getId());
    if (!info.getAddress().getUnixSocket().isEmpty()) {
      p.setProperty("unix_socket", info.getAddress().getUnixSocket());
    } else {
      p.setProperty("tcp", info.getAddress().getTcp());
    }
    p.setProperty("export_name", info.getExportName());
    Files.createDirectories(path.getParent());
    Path tmp = path.resolveSibling(path.getFileName() + ".tmp");
    StringWriter text = new StringWriter();
    p.store(text, "the export of a completed online conversion; see ServedExportFile");
    try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE,
        StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
      ByteBuffer b = ByteBuffer.wrap(text.toString().getBytes(StandardCharsets.UTF_8));
      while (b.hasRemaining()) {
        ch.write(b);
      }
      ch.force(true);
    }
    Files.move(tmp, path, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    RecordWriter.fsyncDirectory(path.getParent());
  }

  /** Empty when there is none: never served after its job, or stopped by an operator. */
  Optional<Served> read() throws IOException {
    if (!Files.exists(path)) {
      return Optional.empty();
    }
    Properties p = new Properties();
    try (Reader r = Files.newBufferedReader(path, StandardCharsets.UTF_8)) {
      p.load(r);
    }
    String id = p.getProperty("id", "");
    NbdAddress.Builder a = NbdAddress.newBuilder();
    a.setUnixSocket(p.getProperty("unix_socket", "")).setTcp(p.getProperty("tcp", ""));
    if (id.isEmpty() || a.getUnixSocket().isEmpty() == a.getTcp().isEmpty()) {
      throw new IOException(path + " is incomplete (id and one address are required)");
    }
    return Optional.of(new Served(id, a.build(), p.getProperty("export_name", "")));
  }

  void delete() throws IOException {
    Files.deleteIfExists(path);
  }
}
