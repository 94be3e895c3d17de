package io.ferry.virt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.ArgumentMatchers.anyLong;
import static org.mockito.ArgumentMatchers.eq;
import static org.mockito.Mockito.inOrder;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.never;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.when;

import io.ferry.error.FerryException;
import io.ferry.error.Reason;
import io.ferry.virt.Convergence.Step;
import io.ferry.virt.LiveMirrorFileIT.Recorder;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.mockito.InOrder;

/** The supervision logic against a scripted hypervisor (the real one is in the *IT tests). */
class LiveMirrorTest {

  static final String XML = "<domain><devices><disk type='file'><source file='/src'/>"
      + "<target dev='vdb'/></disk></devices></domain>";
  static final String PIVOTED = XML.replace("/src", "/dst");
  static final DestinationDisk DEST = DestinationDisk.file("/dst", "raw");
  static final IoTune NONE = new IoTune(0, 0, 0);

  Hypervisor hv = mock(Hypervisor.class);

  MirrorRequest request(Convergence c, boolean pivot) {
    return new MirrorRequest("vm", "vdb", DEST, 1 << 20, 0, 0, c, pivot, null);
  }

  @Test
  void takesEveryAllowedStepInOrderThenGivesUpAndRestoresTheGuestLimits() {
    BlockJobInfo busy = new BlockJobInfo(2, 10, 1000, 1 << 20, false);
    when(hv.blockJob("vm", "vdb")).thenReturn(Optional.empty(), Optional.of(busy));
    when(hv.ioTune("vm", "vdb")).thenReturn(NONE);
    Recorder rec = new Recorder();
    Convergence all = Convergence.all(Duration.ofMillis(300), 8 << 20, 4096);

    MirrorOutcome out = LiveMirror.start(hv, request(all, false), rec).await(Duration.ofSeconds(20));

    assertThat(out.state()).isEqualTo(MirrorState.FAILED);
    assertThat(out.reason()).isEqualTo(Reason.RESOURCE_EXHAUSTED);
    assertThat(out.detail()).contains("did not converge").contains("guest dirties");
    assertThat(rec.events.stream().map(MirrorEvent::step).filter(s -> s != null))
        .containsExactly(Step.RAISE_BANDWIDTH, Step.WRITE_BLOCKING, Step.THROTTLE_GUEST);
    InOrder order = inOrder(hv);
    order.verify(hv).blockCopy(eq("vm"), eq("vdb"), eq(DEST.xml()), any(), eq(CopyMode.BACKGROUND));
    order.verify(hv).setJobSpeed("vm", "vdb", 8 << 20);
    order.verify(hv).abortJob("vm", "vdb", false);
    order.verify(hv).blockCopy(eq("vm"), eq("vdb"), eq(DEST.xml()), any(),
        eq(CopyMode.WRITE_BLOCKING));
    order.verify(hv).setIoTune("vm", "vdb", new IoTune(0, 0, 4096));
    order.verify(hv).abortJob("vm", "vdb", false);
    order.verify(hv).setIoTune("vm", "vdb", NONE);
    verify(hv, never()).abortJob("vm", "vdb", true);
  }

  @Test
  void aFirstPassLongerThanTheBudgetTakesNoStepWhileRemainingShrinks() {
    AtomicLong polls = new AtomicLong();
    when(hv.blockJob("vm", "vdb")).thenAnswer(inv -> {
      long n = polls.getAndIncrement();
      if (n == 0) {
        return Optional.empty(); // no block job before the mirror starts one
      }
      long cur = Math.min(n * (1 << 20), 12L << 20);
      return Optional.of(new BlockJobInfo(2, cur, 12L << 20, 1 << 20, cur == 12L << 20));
    });
    when(hv.ioTune("vm", "vdb")).thenReturn(NONE);
    Recorder rec = new Recorder();
    Convergence all = Convergence.all(Duration.ofMillis(300), 8 << 20, 4096);

    LiveMirror m = LiveMirror.start(hv, request(all, false), rec);
    for (int i = 0; i < 60 && m.state() != MirrorState.READY; i++) {
      sleep(250);
    }

    assertThat(m.state()).isEqualTo(MirrorState.READY);
    assertThat(rec.events).noneMatch(e -> e.step() != null);
    assertThat(rec.events).anyMatch(e -> e.kind().equals("convergence")
        && e.message().contains("step RAISE_BANDWIDTH waits")
        && e.message().contains("remaining shrinks") && e.message().contains("copy ")
        && e.message().contains("guest dirties") && e.copyRate() > 0);
    verify(hv, never()).setJobSpeed("vm", "vdb", 8 << 20);
    verify(hv, never()).setIoTune(any(), any(), any());
    m.cancel();
    m.await(Duration.ofSeconds(10));
  }

  @Test
  void pivotsOnlyWhenAskedAndChecksThePersistentDefinition() {
    BlockJobInfo ready = new BlockJobInfo(2, 1000, 1000, 0, true);
    when(hv.blockJob("vm", "vdb")).thenReturn(Optional.empty(), Optional.of(ready));
    when(hv.xml("vm", false)).thenReturn(PIVOTED);
    when(hv.xml("vm", true)).thenReturn(XML, PIVOTED); // stale until redefined
    when(hv.liveXmlForDefine("vm")).thenReturn(PIVOTED);
    when(hv.isPersistent("vm")).thenReturn(true);

    LiveMirror m = LiveMirror.start(hv, request(Convergence.none(null), false), null);
    sleep(800);
    assertThat(m.state()).isEqualTo(MirrorState.READY);
    verify(hv, never()).abortJob(any(), any(), eq(true));
    m.pivot();
    MirrorOutcome out = m.await(Duration.ofSeconds(10));

    assertThat(out.state()).as(out.detail()).isEqualTo(MirrorState.COMPLETED);
    verify(hv).abortJob("vm", "vdb", true);
    verify(hv).define(PIVOTED);
    assertThat(out.detail()).contains("redefined");
  }

  @Test
  void aFailedPivotAbandonsTheCopyAndLeavesTheGuestOnItsSource() {
    BlockJobInfo ready = new BlockJobInfo(2, 1000, 1000, 0, true);
    when(hv.blockJob("vm", "vdb")).thenReturn(Optional.empty(), Optional.of(ready));
    org.mockito.Mockito.doThrow(new FerryException(Reason.FAILED_PRECONDITION, "not ready"))
        .when(hv).abortJob("vm", "vdb", true);

    MirrorOutcome out = LiveMirror.start(hv, request(Convergence.none(null), true), null)
        .await(Duration.ofSeconds(10));

    assertThat(out.state()).isEqualTo(MirrorState.FAILED);
    assertThat(out.detail()).contains("guest stays on its source");
    verify(hv).abortJob("vm", "vdb", false);
  }

  @Test
  void refusesToStartOverAnotherBlockJob() {
    when(hv.blockJob("vm", "vdb")).thenReturn(Optional.of(new BlockJobInfo(2, 1, 2, 0, false)));
    org.assertj.core.api.Assertions.assertThatThrownBy(
            () -> LiveMirror.start(hv, request(Convergence.none(null), false), null))
        .isInstanceOf(FerryException.class).hasMessageContaining("already has a block job");
    verify(hv, never()).blockCopy(any(), any(), any(), any(), any());
    verify(hv, never()).setJobSpeed(any(), any(), anyLong());
  }

  @Test
  void raisingTheBandwidthTakesWhatTheHostBudgetGrants() {
    BlockJobInfo busy = new BlockJobInfo(2, 10, 1000, 1 << 20, false);
    when(hv.blockJob("vm", "vdb")).thenReturn(Optional.empty(), Optional.of(busy));
    MirrorListener budget = new MirrorListener() {
      @Override
      public void onState(MirrorState state, String detail) {}

      @Override
      public void onProgress(MirrorProgress progress) {}

      @Override
      public void onEvent(MirrorEvent event) {}

      @Override
      public long onRaiseBandwidth() {
        return 3 << 20;
      }
    };
    Convergence raiseOnly = new Convergence(Duration.ofMillis(300), true, 8 << 20, false, false,
        false, 0);

    LiveMirror.start(hv, request(raiseOnly, false), budget).await(Duration.ofSeconds(20));

    verify(hv).setJobSpeed("vm", "vdb", 3 << 20);
    verify(hv, never()).setJobSpeed("vm", "vdb", 8 << 20);
  }

  private static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      throw new AssertionError(e);
    }
  }
}
