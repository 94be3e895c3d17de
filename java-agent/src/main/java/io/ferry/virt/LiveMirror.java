package io.ferry.virt;

import io.ferry.error.FerryException;
import io.ferry.error.Reason;
import io.ferry.virt.Convergence.Step;
import java.time.Duration;
import java.util.EnumSet;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Supervises one libvirt block copy of a running domain's disk: starts it (or re-attaches to
 * it), reports progress about four times a second, keeps it converging by the steps its {@link
 * Convergence} allows, and ends it by a pivot (only when asked), a cancel, or a failure. The
 * copy is always a transient job, so the persistent domain stays defined (rule 7); a cancel
 * before READY only abandons the destination (rule 5).
 *
 * <p>Independent of the job layer: the caller maps states and events to its own model.
 */
public final class LiveMirror {

  private static final Logger log = LoggerFactory.getLogger(LiveMirror.class);
  static final long POLL_MILLIS = 250;

  private final Hypervisor hv;
  private final MirrorRequest req;
  private final MirrorListener listener;
  private final RateMeter meter = new RateMeter(3000);
  private final GuestThrottle throttle;
  private final EnumSet<Step> stepsTaken = EnumSet.noneOf(Step.class);
  private final CompletableFuture<MirrorOutcome> outcome = new CompletableFuture<>();
  private volatile MirrorState state = MirrorState.SYNCING;
  private volatile boolean cancelRequested;
  private volatile boolean pivotRequested;
  private volatile boolean detachRequested;
  private volatile long requestedBandwidth = -1;
  private volatile MirrorProgress last;
  private CopyMode mode;
  private long bandwidth;
  private Step convergedBy;

  private LiveMirror(Hypervisor hv, MirrorRequest req, MirrorListener listener, CopyMode mode) {
    this.hv = hv;
    this.req = req;
    this.listener = listener == null ? MirrorListener.NONE : listener;
    this.mode = mode;
    this.bandwidth = req.bandwidth();
    this.throttle = new GuestThrottle(hv, req.domain(), req.disk(), req.restoreIoTune(),
        this.listener);
    if (req.restoreIoTune() != null) {
      stepsTaken.add(Step.THROTTLE_GUEST); // a previous agent throttled the guest already
    }
  }

  /**
   * Starts the block copy now (errors such as an unknown domain or disk are thrown here) and
   * supervises it on a thread of its own.
   */
  public static LiveMirror start(Hypervisor hv, MirrorRequest req, MirrorListener listener) {
    CopyMode mode = req.convergence().startWriteBlocking() ? CopyMode.WRITE_BLOCKING
        : CopyMode.BACKGROUND;
    if (hv.blockJob(req.domain(), req.disk()).isPresent()) {
      throw FerryException.precondition("domain " + req.domain() + " disk " + req.disk()
          + " already has a block job: supervise it (list block jobs) or wait for its end");
    }
    LiveMirror m = new LiveMirror(hv, req, listener, mode);
    m.copy();
    m.listener.onState(MirrorState.SYNCING, "block copy started in " + mode + " mode to "
        + req.destination().source());
    m.spawn();
    return m;
  }

  /**
   * Takes over the block copy a previous agent started (after a restart): the job must still run
   * on the disk towards {@code req.destination()}; if it has ended, the outcome says how.
   */
  public static LiveMirror reattach(Hypervisor hv, MirrorRequest req, MirrorListener listener) {
    CopyMode mode = req.convergence().startWriteBlocking() ? CopyMode.WRITE_BLOCKING
        : CopyMode.BACKGROUND;
    LiveMirror m = new LiveMirror(hv, req, listener, mode);
    Optional<BlockJobInfo> job = hv.blockJob(req.domain(), req.disk());
    if (job.isPresent()) {
      Optional<DiskSource> target = DomainXml.parse(hv.xml(req.domain(), false))
          .mirrorSource(req.disk());
      if (target.isPresent() && !target.get().equals(req.destination().source())) {
        throw FerryException.precondition("domain " + req.domain() + " disk " + req.disk()
            + ": the running block job copies to " + target.get() + ", not to "
            + req.destination().source() + "; it is not this job's");
      }
      m.bandwidth = job.get().bandwidth();
      m.event(MirrorEvent.of("reattach", "re-attached to the running block copy at "
          + job.get().cur() + "/" + job.get().end() + (req.restoreIoTune() == null ? ""
          : "; the guest's I/O limits " + req.restoreIoTune() + " come back when it ends"),
          null));
    }
    m.spawn();
    return m;
  }

  public MirrorState state() {
    return state;
  }

  public MirrorRequest request() {
    return req;
  }

  public MirrorProgress lastProgress() {
    return last;
  }

  /** Pivots at READY (now, if READY already). Only for Nova's swap flow (rule 4). */
  public void pivot() {
    pivotRequested = true;
  }

  /** Abandons the destination: aborts the job without pivot; the guest stays on its source. */
  public void cancel() {
    cancelRequested = true;
  }

  /**
   * Stops supervising and leaves the block job running (agent shutdown): the guest's I/O limits
   * are restored; {@link #reattach} takes the job over again.
   */
  public void detach() {
    detachRequested = true;
  }

  /** Changes the job's bandwidth cap (bytes/s; 0: none), applied at the next poll. */
  public void setBandwidth(long bytesPerSec) {
    if (bytesPerSec < 0) {
      throw FerryException.invalid("bandwidth_bytes_per_sec", "must not be negative");
    }
    requestedBandwidth = bytesPerSec;
  }

  public CompletableFuture<MirrorOutcome> outcome() {
    return outcome;
  }

  /** Waits for the end; throws UNAVAILABLE-free TimeoutException as a FerryException. */
  public MirrorOutcome await(Duration timeout) {
    try {
      return outcome.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      throw new FerryException(Reason.FAILED_PRECONDITION, "live mirror " + req.name()
          + " still " + state + " after " + timeout);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new FerryException(Reason.CANCELLED, "interrupted waiting for " + req.name());
    } catch (ExecutionException e) {
      throw new FerryException(Reason.INTERNAL, "live mirror " + req.name() + ": " + e.getCause());
    }
  }

  private void spawn() {
    Thread t = new Thread(this::supervise, "live-mirror-" + req.name());
    t.setDaemon(true);
    t.start();
  }

  private void copy() {
    hv.blockCopy(req.domain(), req.disk(), req.destination().xml(),
        new Hypervisor.CopyParams(bandwidth, req.granularity(), bufferFor(req.bufSize(), bandwidth)),
        mode);
    meter.reset();
  }

  /**
   * QEMU's rate limit is bursty: the mirror sends a whole buffer (16 MiB by default), then
   * sleeps buffer/cap seconds, READY or not. Under a cap and with no buffer size asked for,
   * Ferry uses about a quarter second's worth, so the cap is smooth and READY comes on time.
   */
  static long bufferFor(long asked, long bandwidth) {
    if (asked > 0 || bandwidth <= 0) {
      return asked;
    }
    long quarter = (bandwidth / 4) & ~0xFFFFL;
    return Math.max(256 * 1024, Math.min(32L << 20, quarter));
  }

  private void supervise() {
    MirrorOutcome end;
    try {
      end = loop();
    } catch (FerryException e) {
      abortQuietly(); // nobody would supervise it any more; the guest stays on its source
      end = fail(e.reason(), e.getMessage());
    } catch (RuntimeException e) {
      log.error("live mirror {} failed", req.name(), e);
      abortQuietly();
      end = fail(Reason.INTERNAL, e.toString());
    } finally {
      restoreThrottle("the mirror ended");
    }
    outcome.complete(end);
  }

  private MirrorOutcome loop() {
    ConvergenceGate gate = new ConvergenceGate(req.convergence().stepBudget(), System.nanoTime());
    long nextDeferralEvent = 0;
    while (true) {
      if (cancelRequested) {
        return cancelJob();
      }
      if (detachRequested) {
        return new MirrorOutcome(state, null, "detached: the block job runs on unsupervised",
            convergedBy, last);
      }
      Optional<BlockJobInfo> job = hv.blockJob(req.domain(), req.disk());
      if (job.isEmpty()) {
        return vanished();
      }
      applyRequestedBandwidth();
      MirrorProgress p = sample(job.get());
      if (p.ready()) {
        if (state != MirrorState.READY) {
          setState(MirrorState.READY, "in sync" + (convergedBy == null ? ""
              : " after convergence step " + convergedBy) + "; " + rates(p));
          if (!req.pivot()) {
            restoreThrottle("READY without pivot: the guest runs unthrottled while it waits");
          }
        }
        if (req.pivot() || pivotRequested) {
          return pivotJob(p);
        }
      } else {
        long now = System.nanoTime();
        ConvergenceGate.Decision d = gate.check(now, p.cur(), p.remaining(), p.copyRate(),
            p.dirtyRate());
        if (d != null && d.escalate()) {
          if (!nextStep(p, d.why())) {
            return giveUp(p, d.why());
          }
          gate.restart(System.nanoTime());
          nextDeferralEvent = 0;
        } else if (d != null && now >= nextDeferralEvent) {
          deferred(d, p);
          nextDeferralEvent = now + req.convergence().stepBudget().toNanos();
        }
      }
      sleep(POLL_MILLIS);
    }
  }

  private MirrorProgress sample(BlockJobInfo job) {
    long written = 0;
    try {
      written = hv.writtenBytes(req.domain(), req.disk());
    } catch (FerryException e) {
      // block stats are advisory; the mirror's own figures still count
    }
    meter.add(System.nanoTime(), job.cur(), job.end(), written);
    bandwidth = job.bandwidth();
    MirrorProgress p = new MirrorProgress(job.cur(), job.end(), job.ready(), meter.copyRate(),
        meter.dirtyRate(), meter.guestWriteRate(),
        job.ready() ? 0 : meter.etaSeconds(job.remaining()), job.bandwidth(), mode);
    last = p;
    listener.onProgress(p);
    return p;
  }

  /** Takes the next allowed step; false when none is left. */
  private boolean nextStep(MirrorProgress p, String reason) {
    Convergence c = req.convergence();
    for (Step step : Step.values()) {
      if (!c.allows(step) || stepsTaken.contains(step)) {
        continue;
      }
      stepsTaken.add(step);
      if (take(step, p, reason)) {
        convergedBy = step;
        return true;
      }
    }
    return false;
  }

  /** Applies one step; false if it cannot apply here (then the next step is tried at once). */
  private boolean take(Step step, MirrorProgress p, String reason) {
    Convergence c = req.convergence();
    String why = "not READY within " + c.stepBudget().toSeconds() + " s and " + reason + "; "
        + rates(p);
    switch (step) {
      case RAISE_BANDWIDTH -> {
        long granted = listener.onRaiseBandwidth();
        long cap = granted >= 0 ? granted : c.hostBandwidthCap();
        if (bandwidth == 0 || (cap > 0 && cap <= bandwidth)) {
          return false;
        }
        hv.setJobSpeed(req.domain(), req.disk(), cap);
        bandwidth = cap;
        stepEvent(step, why + "; bandwidth raised to " + mib(cap), p, null);
      }
      case WRITE_BLOCKING -> {
        if (mode == CopyMode.WRITE_BLOCKING) {
          return false;
        }
        // QEMU 7.2 cannot switch a running mirror's copy mode: abandon this not-ready copy
        // (its destination is inconsistent anyway, rule 5) and start again in write-blocking.
        hv.abortJob(req.domain(), req.disk(), false);
        mode = CopyMode.WRITE_BLOCKING;
        copy();
        stepEvent(step, why + "; copy restarted in write-blocking mode", p, null);
      }
      case THROTTLE_GUEST -> {
        IoTune before = throttle.apply(c.guestThrottle());
        stepEvent(step, why + "; guest disk writes capped at " + mib(c.guestThrottle())
            + " (previous limits " + before + " restored at the end)", p, before);
      }
      default -> throw new IllegalStateException(step.name());
    }
    return true;
  }

  private MirrorOutcome pivotJob(MirrorProgress p) {
    setState(MirrorState.PIVOTING, "pivot to " + req.destination().source());
    try {
      hv.abortJob(req.domain(), req.disk(), true);
    } catch (FerryException e) {
      // The guest must not be left half-switched: give the copy up, it stays on its source.
      abortQuietly();
      return fail(e.reason(), "pivot failed, copy abandoned, guest stays on its source: "
          + e.getMessage());
    }
    String note = PivotCheck.verify(hv, req.domain(), req.disk(), req.destination().source());
    event(MirrorEvent.of("verify", note, p));
    return finish(MirrorState.COMPLETED, null, "pivoted; " + note);
  }

  private MirrorOutcome cancelJob() {
    setState(MirrorState.CANCELLING, "cancel requested");
    if (hv.blockJob(req.domain(), req.disk()).isPresent()) {
      hv.abortJob(req.domain(), req.disk(), false);
    }
    return finish(MirrorState.CANCELLED, null, "block copy aborted without pivot; the guest "
        + "stays on " + DomainXml.parse(hv.xml(req.domain(), false)).source(req.disk())
        + "; the destination " + req.destination().source() + " is abandoned (remove it)");
  }

  /**
   * The budget is spent but the copy still gains: the next step waits (the first full pass of a
   * big disk may take longer than a budget). Reported at most once per budget.
   */
  private void deferred(ConvergenceGate.Decision d, MirrorProgress p) {
    String next = "abort (did not converge)";
    for (Step step : Step.values()) {
      if (req.convergence().allows(step) && !stepsTaken.contains(step)) {
        next = "step " + step;
        break;
      }
    }
    String msg = "not READY within " + req.convergence().stepBudget().toSeconds() + " s, but "
        + d.why() + "; " + next + " waits; " + rates(p);
    log.info("live mirror {}: {}", req.name(), msg);
    event(MirrorEvent.of("convergence", msg, p));
  }

  private MirrorOutcome giveUp(MirrorProgress p, String reason) {
    hv.abortJob(req.domain(), req.disk(), false);
    String msg = "did not converge: not READY within " + req.convergence().stepBudget().toSeconds()
        + " s per step after steps " + stepsTaken + " and " + reason + "; " + rates(p)
        + "; copy aborted, guest stays on its source, destination abandoned";
    event(MirrorEvent.of("convergence", msg, p));
    return finish(MirrorState.FAILED, Reason.RESOURCE_EXHAUSTED, msg);
  }

  /** The job ended without us: pivoted by someone else, or aborted/failed in QEMU. */
  private MirrorOutcome vanished() {
    DiskSource now = DomainXml.parse(hv.xml(req.domain(), false)).source(req.disk());
    if (now.equals(req.destination().source())) {
      String note = PivotCheck.verify(hv, req.domain(), req.disk(), now);
      return finish(MirrorState.COMPLETED, null, "the block job ended and the guest already "
          + "uses the destination; " + note);
    }
    return fail(Reason.FAILED_PRECONDITION, "the block copy of " + req.name() + " ended outside "
        + "Ferry (aborted, or failed in QEMU); the guest stays on " + now);
  }

  private void applyRequestedBandwidth() {
    long bw = requestedBandwidth;
    if (bw >= 0 && bw != bandwidth) {
      requestedBandwidth = -1;
      hv.setJobSpeed(req.domain(), req.disk(), bw);
      bandwidth = bw;
      event(MirrorEvent.of("bandwidth", "bandwidth set to " + (bw == 0 ? "unlimited" : mib(bw)),
          last));
    } else if (bw >= 0) {
      requestedBandwidth = -1;
    }
  }

  private void restoreThrottle(String why) {
    try {
      if (throttle.restore()) {
        event(MirrorEvent.of("throttle", "guest disk I/O limits restored: " + why, last));
      }
    } catch (FerryException e) {
      event(MirrorEvent.of("throttle", "could not restore guest I/O limits: " + e.getMessage(),
          last));
    }
  }

  private void abortQuietly() {
    try {
      if (hv.blockJob(req.domain(), req.disk()).isPresent()) {
        hv.abortJob(req.domain(), req.disk(), false);
      }
    } catch (FerryException e) {
      log.warn("{}: abandoning the block copy failed: {}", req.name(), e.getMessage());
    }
  }

  private void stepEvent(Step step, String msg, MirrorProgress p, IoTune saved) {
    log.info("live mirror {}: convergence step {}: {}", req.name(), step, msg);
    event(new MirrorEvent("convergence", step, msg, p.copyRate(), p.dirtyRate(), p.remaining(),
        saved));
  }

  private void event(MirrorEvent e) {
    listener.onEvent(e);
  }

  private void setState(MirrorState s, String detail) {
    state = s;
    log.info("live mirror {}: {} ({})", req.name(), s, detail);
    listener.onState(s, detail);
  }

  private MirrorOutcome finish(MirrorState s, Reason reason, String detail) {
    restoreThrottle("the mirror ended"); // before the end is published: callers may rely on it
    setState(s, detail);
    return new MirrorOutcome(s, reason, detail, convergedBy, last);
  }

  private MirrorOutcome fail(Reason reason, String detail) {
    return finish(MirrorState.FAILED, reason, detail);
  }

  static String rates(MirrorProgress p) {
    return "copy " + mib(p.copyRate()) + ", guest dirties " + mib(p.dirtyRate())
        + " (device writes " + mib(p.guestWriteRate()) + "), " + mibOf(p.remaining())
        + " dirty, mode " + p.mode();
  }

  static String mib(long bytesPerSec) {
    return String.format("%.1f MiB/s", bytesPerSec / 1048576.0);
  }

  static String mibOf(long bytes) {
    return String.format("%.1f MiB", bytes / 1048576.0);
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new FerryException(Reason.CANCELLED, "live mirror supervision interrupted");
    }
  }
}
