package io.ferry.journal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import io.ferry.copy.CopyCheckpoint;
import io.ferry.copy.CopyPhase;
import io.ferry.device.Extent;
import io.ferry.journal.proto.JobRecord;
import io.ferry.proto.v1.Job;
import io.ferry.proto.v1.JobState;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.BitSet;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JobJournalTest {

  @TempDir Path dir;

  private static JobRecord record(String id, JobState state) {
    BitSet bits = new BitSet();
    bits.set(0, 5);
    bits.set(70);
    CopyCheckpoint cp = new CopyCheckpoint(CopyPhase.MERGE, 2, 65536, bits,
        List.of(new Extent(4096, 8192), new Extent(1 << 20, 512)), 123456, Map.of("snap", "s1"));
    return JobRecord.newBuilder()
        .setJob(Job.newBuilder().setId(id).setState(state).setRequestId("r-" + id))
        .setCheckpoint(CheckpointCodec.toProto(cp))
        .setDestinationCreated(true)
        .setSourceSize(1 << 30)
        .setRequestDigest(ByteString.copyFromUtf8("digest"))
        .build();
  }

  @Test
  void roundTripKeepsJobAndCheckpoint() throws IOException {
    JobJournal journal = new JobJournal(dir);
    JobRecord r = record("a1", JobState.SYNCING);
    journal.save(r);
    List<JobRecord> loaded = new JobJournal(dir).loadAll();
    assertThat(loaded).containsExactly(r);
    CopyCheckpoint cp = CheckpointCodec.fromProto(loaded.get(0).getCheckpoint());
    assertThat(cp.phase()).isEqualTo(CopyPhase.MERGE);
    assertThat(cp.pass()).isEqualTo(2);
    assertThat(cp.syncedChunks().cardinality()).isEqualTo(6);
    assertThat(cp.syncedChunks().get(70)).isTrue();
    assertThat(cp.pendingDirty()).containsExactly(new Extent(4096, 8192), new Extent(1 << 20, 512));
    assertThat(cp.bytesCopied()).isEqualTo(123456);
    assertThat(cp.feedState()).containsEntry("snap", "s1");
  }

  @Test
  void saveReplacesAndLeavesNoTemporaryFile() throws IOException {
    JobJournal journal = new JobJournal(dir);
    journal.save(record("a1", JobState.SYNCING));
    journal.save(record("a1", JobState.MERGING));
    assertThat(journal.loadAll()).extracting(r -> r.getJob().getState())
        .containsExactly(JobState.MERGING);
    try (var files = Files.list(dir)) {
      assertThat(files.map(p -> p.getFileName().toString())).containsExactly("a1.job");
    }
  }

  @Test
  void flippedByteIsDetectedMovedAsideAndOthersLoad() throws IOException {
    JobJournal journal = new JobJournal(dir);
    journal.save(record("good", JobState.SYNCING));
    journal.save(record("bad", JobState.SYNCING));
    Path bad = dir.resolve("bad.job");
    byte[] bytes = Files.readAllBytes(bad);
    bytes[bytes.length / 2] ^= 0x40;
    Files.write(bad, bytes);
    assertThatThrownBy(() -> RecordReader.read(bad)).isInstanceOf(CorruptRecordException.class)
        .hasMessageContaining("CRC32C");
    assertThat(journal.loadAll()).extracting(r -> r.getJob().getId()).containsExactly("good");
    assertThat(bad).doesNotExist();
    assertThat(dir.resolve("bad.job.corrupt")).exists();
    assertThat(journal.loadAll()).hasSize(1); // the corrupt file is not read again
  }

  @Test
  void truncatedFileIsDetected() throws IOException {
    JobJournal journal = new JobJournal(dir);
    journal.save(record("t", JobState.SYNCING));
    Path f = dir.resolve("t.job");
    byte[] bytes = Files.readAllBytes(f);
    for (int keep : new int[] {0, 3, 11, bytes.length - 1}) {
      byte[] cut = java.util.Arrays.copyOf(bytes, keep);
      Files.write(f, cut);
      assertThatThrownBy(() -> RecordReader.read(f)).isInstanceOf(CorruptRecordException.class)
          .hasMessageContaining("truncated");
    }
    assertThat(journal.loadAll()).isEmpty();
    assertThat(dir.resolve("t.job.corrupt")).exists();
  }

  @Test
  void badMagicIsDetected() throws IOException {
    JobJournal journal = new JobJournal(dir);
    journal.save(record("m", JobState.SYNCING));
    Path f = dir.resolve("m.job");
    byte[] bytes = Files.readAllBytes(f);
    bytes[0] = 'X';
    Files.write(f, bytes);
    assertThatThrownBy(() -> RecordReader.read(f)).hasMessageContaining("bad magic");
    assertThat(journal.loadAll()).isEmpty();
    assertThat(dir.resolve("m.job.corrupt")).exists();
  }

  @Test
  void validFramingWithGarbagePayloadIsCorrupt() throws IOException {
    Files.write(dir.resolve("g.job"), RecordFormat.encode(new byte[] {(byte) 0xff, 0x01}));
    assertThat(new JobJournal(dir).loadAll()).isEmpty();
    assertThat(dir.resolve("g.job.corrupt")).exists();
  }

  @Test
  void crashAfterTempWriteBeforeRenameKeepsOldRecord() throws IOException {
    new JobJournal(dir).save(record("c", JobState.SYNCING));
    for (FaultPoint point : List.of(FaultPoint.AFTER_TEMP_WRITE, FaultPoint.BEFORE_RENAME)) {
      JobJournal crashing = new JobJournal(dir, p -> {
        if (p == point) {
          throw new IOException("crash at " + p);
        }
      });
      assertThatThrownBy(() -> crashing.save(record("c", JobState.MERGING)))
          .hasMessageContaining("crash at " + point);
      assertThat(new JobJournal(dir).loadAll()).extracting(r -> r.getJob().getState())
          .as("after a crash at " + point).containsExactly(JobState.SYNCING);
    }
    // The next save overwrites the leftover temporary file.
    new JobJournal(dir).save(record("c", JobState.VERIFYING));
    assertThat(new JobJournal(dir).loadAll()).extracting(r -> r.getJob().getState())
        .containsExactly(JobState.VERIFYING);
  }

  @Test
  void crashAfterRenameHasNewRecord() throws IOException {
    new JobJournal(dir).save(record("c", JobState.SYNCING));
    JobJournal crashing = new JobJournal(dir, p -> {
      if (p == FaultPoint.AFTER_RENAME) {
        throw new IOException("crash");
      }
    });
    assertThatThrownBy(() -> crashing.save(record("c", JobState.MERGING)));
    assertThat(new JobJournal(dir).loadAll()).extracting(r -> r.getJob().getState())
        .containsExactly(JobState.MERGING);
  }

  @Test
  void unsafeJobIdIsRefused() throws IOException {
    JobJournal journal = new JobJournal(dir);
    assertThatThrownBy(() -> journal.save(record("../x", JobState.SYNCING)))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
