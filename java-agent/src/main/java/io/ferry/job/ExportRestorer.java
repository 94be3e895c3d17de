package io.ferry.job;

import io.ferry.proto.v1.JobState;
import io.ferry.proto.v1.NbdExportInfo;
import java.io.IOException;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * At agent start: a COMPLETED online conversion whose export served on when the agent stopped is
 * served again at the same address, under the same export id. If that cannot be done (the
 * address is taken, the destination cannot be opened) the job stays COMPLETED, its destination
 * untouched, and an event on the job says why and what to do.
 */
final class ExportRestorer {

  private static final Logger log = LoggerFactory.getLogger(ExportRestorer.class);

  private final RunContext ctx;

  ExportRestorer(RunContext ctx) {
    this.ctx = ctx;
  }

  void restore(JobEntry e) {
    OnlineConversions online = ctx.online().get();
    if (online == null || e.job.getState() != JobState.COMPLETED
        || !e.job.getCopyOptions().getOnline()) {
      return;
    }
    try {
      Optional<NbdExportInfo> info = online.restore(e.job);
      if (info.isPresent()) {
        NbdExportInfo i = info.get();
        ctx.store().change(e, b -> b.setExportUri(i.getUri()).setExportId(i.getId()), "export",
            "destination served again at " + i.getUri() + " (export " + i.getId()
                + ") after the agent restarted");
      }
    } catch (IOException | RuntimeException ex) {
      String why = "the destination's export was not restored after the agent restarted: "
          + ex.getMessage() + ". The job stays COMPLETED and the destination is intact; free "
          + "the address and restart the agent, or serve the destination with `ferry export`";
      log.warn("job {}: {}", e.id, why);
      try {
        ctx.store().event(e, "export", why);
      } catch (RuntimeException journal) {
        log.warn("job {}: cannot record that event: {}", e.id, journal.getMessage());
      }
    }
  }
}
