package io.ferry.cli;

import io.ferry.config.ByteSizes;
import io.ferry.proto.v1.JobState;
import java.time.Duration;
import java.util.Locale;

/** Numbers for people: sizes, rates, durations, percentages, state names. */
final class Human {
  private Human() {}

  static String size(long bytes) {
    return ByteSizes.format(bytes);
  }

  static String rate(long bytesPerSec) {
    return ByteSizes.format(bytesPerSec) + "/s";
  }

  /** "unlimited" for 0. */
  static String cap(long bytesPerSec) {
    return ByteSizes.formatRate(bytesPerSec);
  }

  /** "45s", "3m07s", "2h05m"; "?" when unknown (negative). */
  static String duration(long seconds) {
    if (seconds < 0) {
      return "?";
    }
    Duration d = Duration.ofSeconds(seconds);
    if (seconds < 60) {
      return seconds + "s";
    }
    if (seconds < 3600) {
      return String.format(Locale.ROOT, "%dm%02ds", d.toMinutes(), d.toSecondsPart());
    }
    return String.format(Locale.ROOT, "%dh%02dm", d.toHours(), d.toMinutesPart());
  }

  static String percent(long done, long total) {
    if (total <= 0) {
      return "--%";
    }
    return String.format(Locale.ROOT, "%d%%", Math.min(100, done * 100 / total));
  }

  static String state(JobState s) {
    return s.name().toLowerCase(Locale.ROOT);
  }
}
