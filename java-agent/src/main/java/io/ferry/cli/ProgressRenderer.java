package io.ferry.cli;

import io.ferry.proto.v1.Job;
import io.ferry.proto.v1.JobState;
import io.ferry.proto.v1.Progress;
import java.io.PrintWriter;
import java.util.function.LongSupplier;

/**
 * Shows a watched job. On a terminal: one line redrawn in place with a bar, the phase, bytes done
 * and total, rate, ETA and dirty bytes. Otherwise (a pipe, a log): plain lines, one when the state
 * changes and at most one per {@code intervalMillis} in between.
 */
final class ProgressRenderer {

  private static final int BAR = 24;

  private final PrintWriter out;
  private final boolean tty;
  private final long intervalMillis;
  private final LongSupplier clock;
  private JobState lastState;
  private long lastPrint = Long.MIN_VALUE;
  private boolean inPlace;

  ProgressRenderer(PrintWriter out, boolean tty, long intervalMillis, LongSupplier clock) {
    this.out = out;
    this.tty = tty;
    this.intervalMillis = intervalMillis;
    this.clock = clock;
  }

  void update(Job job) {
    boolean changed = job.getState() != lastState;
    lastState = job.getState();
    if (tty) {
      out.print("\r" + bar(job.getProgress()) + " " + line(job) + "\033[K");
      inPlace = true;
      out.flush();
      return;
    }
    long now = clock.getAsLong();
    if (changed || now - lastPrint >= intervalMillis) {
      out.println(line(job));
      out.flush();
      lastPrint = now;
    }
  }

  /** Ends the display with the job's outcome. */
  void finish(Job job) {
    if (inPlace) {
      out.println();
    }
    out.println(summary(job));
    out.flush();
  }

  static String line(Job job) {
    Progress p = job.getProgress();
    StringBuilder sb = new StringBuilder();
    sb.append(job.getId()).append(' ').append(Human.state(job.getState()));
    if (job.getState() == JobState.QUEUED && !job.getQueuedReason().isEmpty()) {
      return sb.append(" (").append(job.getQueuedReason()).append(')').toString();
    }
    if (isTerminal(job.getState())) {
      return sb.toString(); // the summary line says the rest
    }
    if (job.getState() == JobState.MERGING && p.getPass() > 0) {
      sb.append(" pass ").append(p.getPass());
    }
    if (p.getBytesTotal() > 0) {
      sb.append(' ').append(Human.percent(p.getBytesDone(), p.getBytesTotal()))
          .append(' ').append(Human.size(p.getBytesDone()))
          .append('/').append(Human.size(p.getBytesTotal()));
    }
    sb.append(' ').append(Human.rate(p.getRateBytesPerSec()));
    if (p.getEtaSeconds() >= 0) {
      sb.append(" ETA ").append(Human.duration(p.getEtaSeconds()));
    }
    if (p.getDirtyBytes() > 0) {
      sb.append(" dirty ").append(Human.size(p.getDirtyBytes()));
    }
    return sb.toString();
  }

  static String summary(Job job) {
    Progress p = job.getProgress();
    String outcome = switch (job.getState()) {
      case COMPLETED -> "completed";
      case CANCELLED -> "cancelled";
      case FAILED -> "FAILED: " + job.getError().getMessage()
          + (job.getError().getCode().isEmpty() ? "" : " (" + job.getError().getCode() + ")");
      default -> Human.state(job.getState());
    };
    return "job " + job.getId() + " " + outcome + ": copied " + Human.size(p.getBytesCopied())
        + ", holes kept " + Human.size(p.getHoleBytes())
        + ", regions merged " + p.getRegionsMerged()
        + (p.getRestarts() > 0 ? ", restarts " + p.getRestarts() : "");
  }

  private String bar(Progress p) {
    int filled = p.getBytesTotal() <= 0 ? 0
        : (int) Math.min(BAR, p.getBytesDone() * BAR / p.getBytesTotal());
    return "[" + "#".repeat(filled) + ".".repeat(BAR - filled) + "]";
  }

  static boolean isTerminal(JobState s) {
    return s == JobState.COMPLETED || s == JobState.FAILED || s == JobState.CANCELLED;
  }
}
