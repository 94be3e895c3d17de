package io.ferry.cloud;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** The table printed at the end (and for --dry-run) of an evacuation. */
public final class EvacuationSummary {

  private EvacuationSummary() {}

  public static String table(List<PlannedMove> moves) {
    StringBuilder b = new StringBuilder();
    b.append(String.format("%-38s %6s %-9s %-12s %-8s %8s  %s%n", "VOLUME", "GiB", "ATTACHED",
        "HOST", "RESULT", "TIME", "NOTE"));
    for (PlannedMove m : moves) {
      b.append(String.format("%-38s %6d %-9s %-12s %-8s %8s  %s%n", m.volumeId(), m.sizeGb(),
          m.attached() ? "yes" : "no", m.computeHost() == null ? "-" : m.computeHost(),
          m.state(), time(m), m.note() == null ? "" : m.note()));
    }
    Map<PlannedMove.State, Integer> counts = new TreeMap<>();
    moves.forEach(m -> counts.merge(m.state(), 1, Integer::sum));
    b.append("Total: ").append(moves.size()).append(" volume(s) ").append(counts).append('\n');
    return b.toString();
  }

  private static String time(PlannedMove m) {
    if (m.startedAt() == null || m.endedAt() == null) {
      return "-";
    }
    return EvacuationEstimate.human(
        Duration.between(Instant.parse(m.startedAt()), Instant.parse(m.endedAt())));
  }

  public static boolean allDone(List<PlannedMove> moves) {
    return moves.stream().allMatch(m -> m.state() == PlannedMove.State.DONE);
  }
}
