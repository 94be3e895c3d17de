package io.ferry.job;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.ArgumentMatchers.anyBoolean;
import static org.mockito.ArgumentMatchers.eq;
import static org.mockito.Mockito.doAnswer;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.never;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.when;

import io.ferry.endpoint.FileRoots;
import io.ferry.error.FerryException;
import io.ferry.error.Reason;
import io.ferry.proto.v1.CopyOptions;
import io.ferry.proto.v1.Endpoint;
import io.ferry.proto.v1.FileImage;
import io.ferry.proto.v1.Job;
import io.ferry.proto.v1.JobState;
import io.ferry.proto.v1.LiveMirrorOptions;
import io.ferry.proto.v1.StartCopyRequest;
import io.ferry.proto.v1.StartLiveMirrorRequest;
import io.ferry.virt.BlockJobInfo;
import io.ferry.virt.Hypervisor;
import io.ferry.virt.LiveMirrorService;
import io.ferry.virt.MirrorDestinations;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** PivotJob: only a READY live mirror pivots, through the same checks as options.pivot. */
class LiveMirrorPivotTest {

  @TempDir Path tmp;

  Hypervisor hv = mock(Hypervisor.class);
  AtomicReference<Optional<BlockJobInfo>> blockJob = new AtomicReference<>(Optional.empty());
  AtomicBoolean pivoted = new AtomicBoolean();

  String xml(boolean onDestination) {
    String path = onDestination ? tmp.resolve("pool/dst.raw").toString() : "/src.raw";
    return "<domain><devices><disk type='file'><source file='" + path + "'/>"
        + "<target dev='vdb'/></disk></devices></domain>";
  }

  JobManager manager() throws Exception {
    JobFixture f = new JobFixture(tmp);
    Files.write(f.root.resolve("dst.raw"), new byte[4096]);
    JobManager m = f.start();
    when(hv.blockJob("vm", "vdb")).thenAnswer(i -> blockJob.get());
    when(hv.xml(eq("vm"), anyBoolean())).thenAnswer(i -> xml(pivoted.get()));
    when(hv.isPersistent("vm")).thenReturn(true);
    doAnswer(i -> {
      blockJob.set(Optional.of(new BlockJobInfo(2, 10, 4096, 0, false)));
      return null;
    }).when(hv).blockCopy(eq("vm"), eq("vdb"), any(), any(), any());
    doAnswer(i -> {
      pivoted.set(true);
      blockJob.set(Optional.empty());
      return null;
    }).when(hv).abortJob("vm", "vdb", true);
    m.enableLiveMirrors(new LiveMirrorService(hv),
        new MirrorDestinations(Map.of(), new FileRoots(Map.of("default", f.root))));
    return m;
  }

  @Test
  void aReadyMirrorStartedWithoutPivotPivotsWhenAsked() throws Exception {
    try (JobManager m = manager()) {
      String id = m.startLiveMirror(StartLiveMirrorRequest.newBuilder().setRequestId("r1")
          .setDomain("vm").setDiskTarget("vdb")
          .setDestination(Endpoint.newBuilder().setFile(FileImage.newBuilder()
              .setPath("dst.raw"))).setOptions(LiveMirrorOptions.getDefaultInstance())
          .build()).getId();
      await(m, id, j -> j.getState() == JobState.SYNCING);

      assertThatThrownBy(() -> m.pivot(id)).isInstanceOf(FerryException.class)
          .hasMessageContaining("is SYNCING").hasMessageContaining("only when READY")
          .extracting(e -> ((FerryException) e).reason()).isEqualTo(Reason.FAILED_PRECONDITION);

      blockJob.set(Optional.of(new BlockJobInfo(2, 4096, 4096, 0, true)));
      await(m, id, j -> j.getState() == JobState.READY);
      Thread.sleep(600);
      verify(hv, never()).abortJob(any(), any(), eq(true)); // READY, no pivot unless asked

      Job asked = m.pivot(id);
      assertThat(asked.getMirrorOptions().getPivot()).as("journaled for a restart").isTrue();
      assertThat(asked.getEventsList()).anyMatch(e -> e.getKind().equals("pivot"));
      Job done = await(m, id, j -> JobStateMachine.isTerminal(j.getState()));

      assertThat(done.getState()).as(done.getError().getMessage()).isEqualTo(JobState.COMPLETED);
      assertThat(done.getEventsList()).anyMatch(e -> e.getKind().equals("verify")
          && e.getMessage().contains("persistent definition"));
      verify(hv).abortJob("vm", "vdb", true);
      assertThatThrownBy(() -> m.pivot(id)).hasMessageContaining("is COMPLETED");
    }
  }

  @Test
  void aCopyJobDoesNotPivot() throws Exception {
    try (JobManager m = manager()) {
      Files.write(tmp.resolve("pool/src.raw"), new byte[1 << 20]);
      Job copy = m.startCopy(StartCopyRequest.newBuilder().setRequestId("c1")
          .setSource(Endpoint.newBuilder().setFile(FileImage.newBuilder().setPath("src.raw")))
          .setDestination(Endpoint.newBuilder().setFile(FileImage.newBuilder()
              .setPath("copy.raw")))
          .setOptions(CopyOptions.newBuilder().setCreateDestination(true)).build());
      assertThatThrownBy(() -> m.pivot(copy.getId())).isInstanceOf(FerryException.class)
          .hasMessageContaining("only live mirrors pivot")
          .extracting(e -> ((FerryException) e).reason()).isEqualTo(Reason.FAILED_PRECONDITION);
    }
  }

  static Job await(JobManager m, String id, Predicate<Job> until) throws InterruptedException {
    long deadline = System.nanoTime() + 20_000_000_000L;
    while (!until.test(m.get(id))) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("job " + id + " not there in time: " + m.get(id));
      }
      Thread.sleep(50);
    }
    return m.get(id);
  }
}
