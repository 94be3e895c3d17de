package io.ferry.cloud;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * How long an evacuation should take: the data to move divided by the rate all moves get
 * together (the slots the limits allow times the per-move rate, capped by the bandwidth
 * budget). Per-move rates are measured from the moves already done in this evacuation when
 * there are some, otherwise assumed ({@link EvacuationLimits}).
 */
public record EvacuationEstimate(int volumes, long totalGb, int attached, int slots,
    long detachedRate, long attachedRate, boolean measured, Duration duration) {

  public static EvacuationEstimate of(List<PlannedMove> moves, EvacuationLimits limits) {
    List<PlannedMove> todo = moves.stream()
        .filter(m -> m.state() == PlannedMove.State.PENDING
            || m.state() == PlannedMove.State.STARTED).toList();
    long detachedRate = measured(moves, false, limits.detachedRate());
    long attachedRate = measured(moves, true, limits.attachedRate());
    boolean measured = detachedRate != limits.detachedRate()
        || attachedRate != limits.attachedRate();
    int slots = Math.max(1, Math.min(limits.maxParallel(), todo.size()));
    double seconds = 0;
    long bytes = 0;
    for (PlannedMove m : todo) {
      long b = m.sizeGb() << 30;
      bytes += b;
      seconds += (double) b / (m.attached() ? attachedRate : detachedRate);
    }
    // The moves share the slots; the budget caps their sum.
    double wall = seconds / slots;
    if (limits.bandwidthBytesPerSec() > 0) {
      wall = Math.max(wall, (double) bytes / limits.bandwidthBytesPerSec());
    }
    return new EvacuationEstimate(todo.size(), bytes >> 30,
        (int) todo.stream().filter(PlannedMove::attached).count(), slots, detachedRate,
        attachedRate, measured, Duration.ofSeconds((long) Math.ceil(wall)));
  }

  private static long measured(List<PlannedMove> moves, boolean attached, long assumed) {
    long bytes = 0;
    double seconds = 0;
    for (PlannedMove m : moves) {
      if (m.state() == PlannedMove.State.DONE && m.attached() == attached
          && m.startedAt() != null && m.endedAt() != null) {
        double s = Duration.between(Instant.parse(m.startedAt()), Instant.parse(m.endedAt()))
            .toMillis() / 1000.0;
        if (s > 1) {
          bytes += m.sizeGb() << 30;
          seconds += s;
        }
      }
    }
    return seconds > 0 ? (long) (bytes / seconds) : assumed;
  }

  public String render() {
    return String.format("%d volume(s) to move, %d GiB, %d attached; %d at once;"
        + " %s rates: detached %d MiB/s, attached %d MiB/s; estimated %s",
        volumes, totalGb, attached, slots, measured ? "measured" : "assumed",
        detachedRate >> 20, attachedRate >> 20, human(duration));
  }

  static String human(Duration d) {
    long s = d.toSeconds();
    return s >= 3600 ? String.format("%dh%02dm", s / 3600, s / 60 % 60)
        : s >= 60 ? String.format("%dm%02ds", s / 60, s % 60) : s + "s";
  }
}
