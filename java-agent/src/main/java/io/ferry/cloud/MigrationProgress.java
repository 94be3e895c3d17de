package io.ferry.cloud;

import java.time.Duration;
import java.util.List;

/** One observation of a move: Cinder's view plus the agents' jobs for the volume. */
public record MigrationProgress(Volume volume, MoveStatus status, Duration elapsed,
    List<AgentJobs.AgentJob> jobs) {

  /** One line, e.g. "v1 in-use migration=migrating 12s | job j1 SYNCING 40% 95 MiB/s". */
  public String render() {
    StringBuilder b = new StringBuilder();
    b.append(volume.id()).append(' ').append(volume.status())
        .append(" migration=").append(volume.migrationStatus() == null ? "none"
            : volume.migrationStatus())
        .append(" host=").append(volume.host())
        .append(' ').append(elapsed.toSeconds()).append('s');
    for (AgentJobs.AgentJob j : jobs) {
      b.append(" | job ").append(j.id()).append(' ').append(j.state());
      if (j.bytesTotal() > 0) {
        b.append(' ').append(100 * j.bytesDone() / j.bytesTotal()).append('%');
      }
      if (j.rateBytesPerSec() > 0) {
        b.append(' ').append(j.rateBytesPerSec() >> 20).append(" MiB/s");
      }
    }
    return b.toString();
  }
}
