package io.ferry.virt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.ArgumentMatchers.anyString;
import static org.mockito.ArgumentMatchers.isNotNull;
import static org.mockito.Mockito.doThrow;
import static org.mockito.Mockito.inOrder;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.never;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.when;

import io.ferry.error.FerryException;
import io.ferry.error.Reason;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.mockito.InOrder;

/**
 * The guest's I/O limits saved before a convergence throttle reach the journal (the listener)
 * before the throttle is applied, leave it after they are restored, and a mirror re-attached
 * with limits a previous agent saved puts them back.
 */
class GuestLimitsJournalTest {

  static final IoTune BEFORE = new IoTune(0, 50L << 20, 0);
  static final IoTune THROTTLED = new IoTune(0, 50L << 20, 4096);
  static final String XML = LiveMirrorTest.XML;

  Hypervisor hv = mock(Hypervisor.class);
  MirrorListener journal = mock(MirrorListener.class);
  BlockJobInfo busy = new BlockJobInfo(2, 10, 1000, 1 << 20, false);
  Convergence throttleOnly = new Convergence(Duration.ofMillis(300), false, 0, false, false,
      true, 4096);

  MirrorRequest request(IoTune restore) {
    return new MirrorRequest("vm", "vdb", LiveMirrorTest.DEST, 1 << 20, 0, 0, throttleOnly,
        false, restore);
  }

  @Test
  void theSavedLimitsAreJournaledBeforeTheThrottleAndClearedAfterTheyAreRestored() {
    when(hv.blockJob("vm", "vdb")).thenReturn(Optional.empty(), Optional.of(busy));
    when(hv.ioTune("vm", "vdb")).thenReturn(BEFORE);

    MirrorOutcome out = LiveMirror.start(hv, request(null), journal)
        .await(Duration.ofSeconds(20));

    assertThat(out.detail()).contains("did not converge");
    InOrder order = inOrder(journal, hv);
    order.verify(journal).onGuestLimitsSaved(BEFORE);
    order.verify(hv).setIoTune("vm", "vdb", THROTTLED);
    order.verify(hv).setIoTune("vm", "vdb", BEFORE);
    order.verify(journal).onGuestLimitsSaved(null);
  }

  @Test
  void whenTheLimitsCannotBeJournaledTheGuestIsNotThrottled() {
    when(hv.blockJob("vm", "vdb")).thenReturn(Optional.empty(), Optional.of(busy));
    when(hv.ioTune("vm", "vdb")).thenReturn(BEFORE);
    doThrow(new FerryException(Reason.UNAVAILABLE, "journal disk full"))
        .when(journal).onGuestLimitsSaved(isNotNull());

    MirrorOutcome out = LiveMirror.start(hv, request(null), journal)
        .await(Duration.ofSeconds(20));

    assertThat(out.state()).isEqualTo(MirrorState.FAILED);
    assertThat(out.detail()).contains("journal disk full");
    verify(hv, never()).setIoTune(anyString(), anyString(), any());
    verify(hv).abortJob("vm", "vdb", false); // not left running unsupervised
  }

  @Test
  void aReattachedMirrorPutsBackTheLimitsAPreviousAgentSaved() {
    when(hv.blockJob("vm", "vdb")).thenReturn(Optional.of(busy));
    when(hv.xml("vm", false)).thenReturn(XML);

    MirrorOutcome out = LiveMirror.reattach(hv, request(BEFORE), journal)
        .await(Duration.ofSeconds(20));

    assertThat(out.detail()).contains("did not converge"); // the throttle counted as taken
    verify(hv, never()).ioTune(anyString(), anyString());
    verify(hv, never()).setIoTune("vm", "vdb", THROTTLED);
    InOrder order = inOrder(journal, hv);
    order.verify(hv).setIoTune("vm", "vdb", BEFORE);
    order.verify(journal).onGuestLimitsSaved(null);
  }
}
