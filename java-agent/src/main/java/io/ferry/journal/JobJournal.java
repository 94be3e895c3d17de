package io.ferry.journal;

import com.google.protobuf.InvalidProtocolBufferException;
import io.ferry.journal.proto.JobRecord;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The agent's crash-safe job journal: one record file per job, {@code JOB_ID.job}, in one
 * directory. Each save durably replaces the job's file ({@link RecordWriter} documents the format
 * and the write protocol). Loading skips nothing silently: a corrupt file is moved aside to
 * {@code JOB_ID.job.corrupt}, logged once, and the other jobs load.
 *
 * <p>Thread safety: saves of different jobs may run concurrently; saves of one job must be
 * serialised by the caller (the job layer holds the job's lock).
 */
public final class JobJournal {

  private static final Logger log = LoggerFactory.getLogger(JobJournal.class);
  private static final String SUFFIX = ".job";
  private static final Pattern SAFE_ID = Pattern.compile("[A-Za-z0-9_-]{1,128}");

  private final Path dir;
  private final RecordWriter writer;

  public JobJournal(Path dir) throws IOException {
    this(dir, FaultHook.NONE);
  }

  public JobJournal(Path dir, FaultHook hook) throws IOException {
    this.dir = Files.createDirectories(dir);
    this.writer = new RecordWriter(hook);
  }

  public Path directory() {
    return dir;
  }

  /** Durably stores {@code record}, replacing the job's previous record. */
  public void save(JobRecord record) throws IOException {
    writer.write(fileFor(record.getJob().getId()), record.toByteArray());
  }

  /** Removes a job's record (e.g. an expired finished job). Idempotent. */
  public void delete(String jobId) throws IOException {
    if (Files.deleteIfExists(fileFor(jobId))) {
      RecordWriter.fsyncDirectory(dir);
    }
  }

  /** Every job whose record is intact; corrupt records are moved aside and logged. */
  public List<JobRecord> loadAll() throws IOException {
    List<JobRecord> records = new ArrayList<>();
    try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, "*" + SUFFIX)) {
      for (Path file : files) {
        if (!file.getFileName().toString().startsWith(".")) {
          load(file, records);
        }
      }
    }
    records.sort((a, b) -> Long.compare(
        a.getJob().getCreated().getSeconds() * 1_000_000_000L + a.getJob().getCreated().getNanos(),
        b.getJob().getCreated().getSeconds() * 1_000_000_000L + b.getJob().getCreated().getNanos()));
    return records;
  }

  private void load(Path file, List<JobRecord> into) throws IOException {
    try {
      JobRecord record = parse(RecordReader.read(file));
      String expected = file.getFileName().toString().replace(SUFFIX, "");
      if (!record.getJob().getId().equals(expected)) {
        throw new CorruptRecordException("holds job '" + record.getJob().getId() + "'");
      }
      into.add(record);
    } catch (CorruptRecordException e) {
      Path aside = file.resolveSibling(file.getFileName() + ".corrupt");
      Files.move(file, aside, StandardCopyOption.REPLACE_EXISTING);
      RecordWriter.fsyncDirectory(dir);
      log.error("journal record {} is corrupt ({}); moved it to {} and skipped that job",
          file, e.getMessage(), aside.getFileName());
    }
  }

  private static JobRecord parse(byte[] payload) throws CorruptRecordException {
    try {
      return JobRecord.parseFrom(payload);
    } catch (InvalidProtocolBufferException e) {
      throw new CorruptRecordException("payload does not parse: " + e.getMessage(), e);
    }
  }

  private Path fileFor(String jobId) {
    if (!SAFE_ID.matcher(jobId).matches()) {
      throw new IllegalArgumentException("job id not usable as a file name: " + jobId);
    }
    return dir.resolve(jobId + SUFFIX);
  }
}
