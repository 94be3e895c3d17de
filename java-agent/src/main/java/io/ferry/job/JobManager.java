package io.ferry.job;

import io.ferry.device.BlockDevice;
import io.ferry.endpoint.EndpointResolver;
import io.ferry.error.FerryException;
import io.ferry.error.Reason;
import io.ferry.journal.JobJournal;
import io.ferry.proto.v1.Budgets;
import io.ferry.proto.v1.Job;
import io.ferry.proto.v1.JobState;
import io.ferry.proto.v1.ListJobsRequest;
import io.ferry.proto.v1.StartCopyRequest;
import io.ferry.proto.v1.StartLiveMirrorRequest;
import io.ferry.proto.v1.VerifyRequest;
import io.ferry.proto.v1.VerifyResponse;
import java.io.IOException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The agent's {@link JobService}: accepts copy jobs (idempotently by request id, after checking
 * every endpoint and creating nothing until the request is known to be sound), runs them under
 * the host budgets ({@link Scheduler} for concurrency, a shared rate limiter for bandwidth),
 * and on start resumes every unfinished job in its journal from its checkpoint.
 */
public final class JobManager implements JobService {

  private static final Logger log = LoggerFactory.getLogger(JobManager.class);

  private final JobManagerConfig config;
  private final EndpointResolver resolver;
  private final JobStore store;
  private final Scheduler scheduler;
  private final EngineParts.RateLimiter hostLimit;
  private final HostBandwidth bandwidth;
  private final RunContext ctx;
  private final CopyStarter starter;
  private final ExecutorService runners;
  private final ScheduledExecutorService ticker;
  private final Purger purger;
  private volatile LiveMirrorJobs liveMirrors;
  private final java.util.concurrent.atomic.AtomicReference<OnlineConversions> online =
      new java.util.concurrent.atomic.AtomicReference<>();

  public JobManager(JobManagerConfig config, EndpointResolver resolver, EngineParts parts)
      throws IOException {
    this(config, resolver, parts, JobHooks.NONE, Clock.systemUTC());
  }

  public JobManager(JobManagerConfig config, EndpointResolver resolver, EngineParts parts,
      JobHooks hooks, Clock clock) throws IOException {
    this(config, resolver, parts, hooks, clock, null);
  }

  /** @param onlineConversions online conversion; null: refused (UNIMPLEMENTED) */
  public JobManager(JobManagerConfig config, EndpointResolver resolver, EngineParts parts,
      JobHooks hooks, Clock clock, OnlineConversions onlineConversions) throws IOException {
    online.set(onlineConversions);
    this.config = config;
    this.resolver = resolver;
    this.store = new JobStore(new JobJournal(config.journalDir()), clock,
        config.checkpointInterval());
    this.hostLimit = parts.rateLimiters().create(config.totalBandwidth());
    this.runners = Executors.newCachedThreadPool(daemonThreads("ferry-job"));
    this.bandwidth = new HostBandwidth(config.totalBandwidth(), hostLimit);
    this.scheduler = new Scheduler(config.maxConcurrentJobs(), store, this::launch);
    this.ctx = new RunContext(store, resolver, parts, config, hostLimit, hooks, e -> {
      bandwidth.copyEnded(e.id);
      scheduler.finished(e);
    }, online);
    this.starter = new CopyStarter(store, resolver, clock);
    new Resumer(ctx, scheduler, starter, runners).resumeAll();
    this.purger = new Purger(store, config.keepFinished(), this::destinationInUse,
        this::forgetPurged);
    purger.purgeQuietly(); // after the resume: restored exports count as in use
    this.ticker = Executors.newSingleThreadScheduledExecutor(daemonThreads("ferry-job-ticker"));
    ticker.scheduleAtFixedRate(this::tick, 1, 1, TimeUnit.SECONDS);
    long every = Math.max(1, config.purgeEvery().toMillis());
    ticker.scheduleWithFixedDelay(purger::purgeQuietly, every, every, TimeUnit.MILLISECONDS);
  }

  /** Sees every published change of every job (metrics). */
  public void addObserver(JobObserver observer) {
    store.addObserver(observer);
  }

  /** Turns on online conversion (tests; the agent passes it to the constructor). */
  public void enableOnlineConversion(OnlineConversions conversions) {
    online.set(conversions);
  }

  @Override
  public Job startCopy(StartCopyRequest request) {
    if (request.getOptions().getOnline()) {
      OnlineConversions o = online.get();
      if (o == null) {
        throw new FerryException(Reason.UNIMPLEMENTED, "options.online: online conversion is "
            + "not available on this agent; convert offline (without online)");
      }
      o.check(request);
    }
    CopyStarter.Started s = starter.start(request);
    if (s.isNew()) {
      scheduler.submit(s.entry());
    }
    return s.entry().job;
  }

  @Override
  public Job startLiveMirror(StartLiveMirrorRequest request) {
    LiveMirrorJobs mirrors = liveMirrors;
    if (mirrors == null) {
      throw new FerryException(Reason.UNIMPLEMENTED, "live-mirror jobs need libvirt, which this "
          + "agent was started without; use StartCopy for detached volumes");
    }
    return mirrors.start(request);
  }

  /**
   * Turns on live-mirror jobs (the virt layer) and re-attaches to the block jobs of unfinished
   * live mirrors in the journal.
   */
  public void enableLiveMirrors(io.ferry.virt.LiveMirrorService service,
      io.ferry.virt.MirrorDestinations destinations) {
    LiveMirrorJobs mirrors = new LiveMirrorJobs(store, service, destinations, bandwidth);
    liveMirrors = mirrors;
    mirrors.reattachAll();
  }

  @Override
  public Job get(String jobId) {
    return shown(store.get(jobId).job);
  }

  /**
   * A job as callers see it: the export address of an online conversion only while that export
   * serves (after StopExport, or when the job failed, the address would lead nowhere).
   */
  private Job shown(Job j) {
    if (j.getExportId().isEmpty() || !JobStateMachine.isTerminal(j.getState())
        || destinationInUse(j.getId())) {
      return j;
    }
    return j.toBuilder().clearExportUri().clearExportId().build();
  }

  @Override
  public List<Job> list(ListJobsRequest filter) {
    List<Job> jobs = new ArrayList<>();
    for (JobEntry e : store.all()) {
      Job j = e.job;
      boolean stateOk = filter.getStatesList().isEmpty() || filter.getStatesList().contains(j.getState());
      boolean labelsOk = filter.getLabelsMap().entrySet().stream()
          .allMatch(l -> l.getValue().equals(j.getLabelsMap().get(l.getKey())));
      if (stateOk && labelsOk) {
        jobs.add(shown(j));
      }
    }
    jobs.sort(Comparator.comparingLong((Job j) -> j.getCreated().getSeconds())
        .thenComparingInt(j -> j.getCreated().getNanos()).thenComparing(Job::getId));
    return jobs;
  }

  @Override
  public AutoCloseable watch(String jobId, JobWatcher watcher) {
    JobEntry e = store.get(jobId);
    store.addWatcher(e, watcher);
    return () -> store.removeWatcher(e, watcher);
  }

  @Override
  public Job cancel(String jobId) {
    JobEntry e = store.get(jobId);
    store.transition(e, JobState.CANCELLING, "cancel", "requested by a client", b -> b);
    if (scheduler.dequeue(e)) {
      new Abandoner(ctx).finishCancel(e, null);
    } else {
      JobRunner r = e.runner;
      if (r != null) {
        r.cancel();
      }
      LiveMirrorRunner m = e.mirror;
      if (m != null) {
        m.cancel();
      }
    }
    return e.job;
  }

  @Override
  public Job pivot(String jobId) {
    JobEntry e = store.get(jobId);
    synchronized (e.lock) {
      Job j = e.job;
      if (j.getKind() != io.ferry.proto.v1.JobKind.LIVE_MIRROR) {
        throw FerryException.precondition("job " + jobId + " is a " + j.getKind() + " job: only"
            + " live mirrors pivot (a copy job commits its destination by itself)");
      }
      if (j.getState() == JobState.PIVOTING) {
        return j; // asked twice
      }
      LiveMirrorRunner m = e.mirror;
      if (j.getState() != JobState.READY || m == null) {
        throw FerryException.precondition("job " + jobId + " is " + j.getState() + ": a live "
            + "mirror pivots only when READY (source and destination in sync); watch it until"
            + " READY and ask again");
      }
      // Journaled first: an agent restarted before the pivot still pivots at READY.
      store.change(e, b -> {
        b.getMirrorOptionsBuilder().setPivot(true);
        return b;
      }, "pivot", "pivot requested by a client");
      m.pivot();
      return e.job;
    }
  }

  @Override
  public Job setBandwidth(String jobId, long bytesPerSec) {
    if (bytesPerSec < 0) {
      throw FerryException.invalid("bandwidth_bytes_per_sec", "must not be negative");
    }
    JobEntry e = store.get(jobId);
    synchronized (e.lock) {
      JobState s = e.job.getState();
      if (JobStateMachine.isTerminal(s)) {
        throw FerryException.precondition("cannot change the bandwidth of job " + jobId
            + ": it is " + s);
      }
      boolean live = e.job.getKind() == io.ferry.proto.v1.JobKind.LIVE_MIRROR;
      store.change(e, b -> {
        if (live) { // kept for a restart: the re-attached mirror asks for it again
          b.getMirrorOptionsBuilder().setBandwidthBytesPerSec(bytesPerSec);
        } else {
          b.getCopyOptionsBuilder().setBandwidthBytesPerSec(bytesPerSec);
        }
        b.getProgressBuilder().setBandwidthLimit(bytesPerSec);
        return b;
      }, "bandwidth", "cap set to " + (bytesPerSec == 0 ? "none" : bytesPerSec + " bytes/s"));
      JobRunner r = e.runner;
      if (r != null) {
        bandwidth.copyAsks(jobId, bytesPerSec);
        r.setBandwidth(bytesPerSec);
      }
      LiveMirrorRunner m = e.mirror;
      if (m != null) {
        m.setBandwidth(bytesPerSec);
      }
      return e.job;
    }
  }

  @Override
  public VerifyResponse verify(VerifyRequest request) {
    try (BlockDevice a = resolver.open(request.getA(), true, "a");
        BlockDevice b = resolver.open(request.getB(), true, "b")) {
      return new EndpointComparer(config.defaultChunkSize()).compare(a, b);
    } catch (IOException e) {
      throw new FerryException(Reason.UNAVAILABLE, "verify: reading failed: " + e.getMessage()
          + "; check both endpoints and retry", e);
    }
  }

  @Override
  public Budgets budgets() {
    return Budgets.newBuilder()
        .setMaxConcurrentJobs(Math.max(0, config.maxConcurrentJobs()))
        .setTotalBandwidthBytesPerSec(config.totalBandwidth())
        .setRunningJobs(scheduler.runningCount())
        .setQueuedJobs(scheduler.queuedCount())
        .setLiveMirrorBandwidthBytesPerSec(bandwidth.mirrorShares())
        .build();
  }

  /** Changes the host-wide bandwidth budget while jobs run (0: unlimited). */
  public void setTotalBandwidth(long bytesPerSec) {
    bandwidth.setTotal(bytesPerSec);
  }

  @Override
  public void close() {
    LiveMirrorJobs mirrors = liveMirrors;
    if (mirrors != null) {
      mirrors.close(); // block jobs run on; the next start re-attaches
    }
    scheduler.close();
    ticker.shutdown(); // a purge sweep in progress ends; the next start sweeps again
    try {
      if (!ticker.awaitTermination(5, TimeUnit.SECONDS)) {
        ticker.shutdownNow();
      }
    } catch (InterruptedException ie) {
      ticker.shutdownNow();
      Thread.currentThread().interrupt();
    }
    List<JobRunner> stopping = new ArrayList<>();
    for (JobEntry e : store.all()) {
      JobRunner r = e.runner;
      if (r != null) {
        r.stop();
        stopping.add(r);
      }
    }
    try {
      for (JobRunner r : stopping) {
        if (!r.await(10_000)) {
          log.warn("job {} did not stop within 10 s", r.entry().id);
        }
      }
    } catch (InterruptedException ie) {
      Thread.currentThread().interrupt();
    }
    runners.shutdown();
  }

  /** One purge sweep now (tests; the ticker runs them every purgeEvery). */
  List<String> purgeFinished() {
    return purger.purge();
  }

  /** A finished job whose destination an online conversion's export still serves. */
  private boolean destinationInUse(String jobId) {
    OnlineConversions o = online.get();
    return o != null && o.serving(jobId);
  }

  /** A purged job leaves nothing behind: its request id, its online-conversion files. */
  private void forgetPurged(String jobId) {
    starter.forget(jobId);
    LiveMirrorJobs mirrors = liveMirrors;
    if (mirrors != null) {
      mirrors.forget(jobId);
    }
    forgetOnline(jobId);
  }

  /** A purged job leaves no online-conversion files behind (region map, served export). */
  private void forgetOnline(String jobId) {
    OnlineConversions o = online.get();
    if (o != null) {
      try {
        o.discard(jobId);
      } catch (IOException e) {
        log.warn("job {}: purged, but its online-conversion files stay: {}", jobId,
            e.getMessage());
      }
    }
  }

  private void launch(JobEntry e) {
    bandwidth.copyStarted(e.id, e.job.getCopyOptions().getBandwidthBytesPerSec());
    JobRunner r = new JobRunner(e, ctx);
    e.runner = r;
    store.publish(e, b -> b.setQueuedReason("admitted; starting"));
    runners.execute(r);
  }

  private void tick() {
    for (JobEntry e : store.all()) {
      if (e.runner != null && !JobStateMachine.isTerminal(e.job.getState())) {
        long age = System.currentTimeMillis() - e.job.getUpdated().getSeconds() * 1000
            - e.job.getUpdated().getNanos() / 1_000_000;
        if (age >= 900) {
          store.publish(e, b -> b);
        }
      }
    }
  }

  static java.util.concurrent.ThreadFactory daemonThreads(String prefix) {
    AtomicInteger n = new AtomicInteger();
    return r -> {
      Thread t = new Thread(r, prefix + "-" + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    };
  }
}
