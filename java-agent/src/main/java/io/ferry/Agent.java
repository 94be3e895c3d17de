package io.ferry;

import io.ferry.config.AgentConfig;
import io.ferry.device.BlockDevice;
import io.ferry.endpoint.DefaultEndpointResolver;
import io.ferry.proto.v1.Endpoint;
import io.ferry.error.FerryException;
import io.ferry.error.Reason;
import io.ferry.export.ExportManager;
import io.ferry.job.JobService;
import io.ferry.metrics.JobMetrics;
import io.ferry.nbd.NbdServer;
import io.ferry.metrics.Metrics;
import io.ferry.metrics.MetricsHttpServer;
import io.ferry.server.AgentServer;
import io.ferry.server.BlockJobHook;
import io.ferry.server.CapabilitiesProvider;
import io.ferry.server.FerryAgentService;
import io.ferry.server.StatusMapper;
import io.ferry.server.TlsServers;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The running agent: config, then the job layer, then the API server and the metrics endpoint.
 * {@link #close()} stops in the reverse order: no new calls, open watches ended, jobs stopped at a
 * checkpoint (they resume on the next start), metrics off.
 */
public final class Agent implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(Agent.class);

  private final AgentConfig config;
  private final JobService jobs;
  private final DefaultEndpointResolver endpoints;
  private final AgentServer server;
  private final ExportManager exports;
  private final MetricsHttpServer metricsServer;
  private final ScheduledExecutorService refresher;
  private boolean closed;

  /** Builds the job layer from the config (the real one in the daemon; fakes in tests). */
  @FunctionalInterface
  public interface JobLayer {
    Layers create(AgentConfig config, JobMetrics.Factory metrics) throws IOException;
  }

  /**
   * What the job layer gives the API: the service, its metrics, the formats it handles, and the
   * endpoints' shared devices (null in tests with a fake job service).
   */
  public record Layers(JobService jobs, JobMetrics jobMetrics,
      CapabilitiesProvider.Formats formats, DefaultEndpointResolver endpoints, Virt virt,
      ExportManager exports) {

    public Layers {
      virt = virt == null ? Virt.NONE : virt;
    }

    /** Without NBD exports through the API (tests with a fake job layer). */
    public Layers(JobService jobs, JobMetrics jobMetrics, CapabilitiesProvider.Formats formats,
        DefaultEndpointResolver endpoints, Virt virt) {
      this(jobs, jobMetrics, formats, endpoints, virt, null);
    }

    /** Without the virt layer: live mirrors and block jobs answer UNIMPLEMENTED. */
    public Layers(JobService jobs, JobMetrics jobMetrics, CapabilitiesProvider.Formats formats,
        DefaultEndpointResolver endpoints) {
      this(jobs, jobMetrics, formats, endpoints, Virt.NONE);
    }

    /** A job service observed by polling only, RAW files only (tests). */
    public static Layers of(JobService jobs, JobMetrics.Factory metrics) {
      return new Layers(jobs, metrics.create(jobs), CapabilitiesProvider.Formats.rawOnly(), null);
    }
  }

  /**
   * What the virt layer (libvirt) adds to the API.
   *
   * @param libvirtAvailable reported by GetCapabilities
   * @param liveMirror the job service handles StartLiveMirror (else UNIMPLEMENTED at the API)
   * @param blockJobs the block-job RPCs' backend; null: UNIMPLEMENTED
   */
  public record Virt(boolean libvirtAvailable, boolean liveMirror, BlockJobHook blockJobs) {
    public static final Virt NONE = new Virt(false, false, null);
  }

  private Agent(AgentConfig config, Layers layers, AgentServer server,
      MetricsHttpServer metricsServer, ScheduledExecutorService refresher) {
    this.config = config;
    this.jobs = layers.jobs();
    this.endpoints = layers.endpoints();
    this.exports = layers.exports();
    this.server = server;
    this.metricsServer = metricsServer;
    this.refresher = refresher;
  }

  /** Starts the daemon with the real job layer. */
  public static Agent start(AgentConfig config) throws IOException {
    return start(config, AgentWiring::realLayers);
  }

  public static Agent start(AgentConfig config, JobLayer layer) throws IOException {
    Metrics metrics = new Metrics();
    Layers layers = layer.create(config, jobs -> new JobMetrics(jobs, metrics));
    JobService jobs = layers.jobs();
    try {
      JobMetrics jobMetrics = layers.jobMetrics();
      StatusMapper mapper = new StatusMapper(code -> metrics.error(code.name(), "rpc"));
      Virt virt = layers.virt();
      CapabilitiesProvider caps = new CapabilitiesProvider(config, jobs, layers.formats(),
          virt.libvirtAvailable(), null);
      FerryAgentService api = new FerryAgentService(jobs, caps::get, mapper, virt.liveMirror(),
          virt.blockJobs(), layers.exports());
      TlsServers.Transport transport = TlsServers.forConfig(config);
      AgentServer server = new AgentServer(transport.builder(), api, transport.interceptors());
      startServer(server, config);
      MetricsHttpServer http = null;
      if (config.metrics().listen() != null) {
        http = new MetricsHttpServer(config.metrics().listen(), metrics, jobMetrics::refresh)
            .start();
        log.info("metrics on http://{}:{}/metrics", http.address().getHostString(),
            http.address().getPort());
      }
      ScheduledExecutorService refresher = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "metrics-refresh");
        t.setDaemon(true);
        return t;
      });
      refresher.scheduleWithFixedDelay(jobMetrics::refresh, 1, 5, TimeUnit.SECONDS);
      log.info("ferry agent {} listening on {}:{} ({})", CapabilitiesProvider.version(),
          config.listen().host(), server.port(), config.insecurePlaintext() ? "PLAINTEXT" : "mTLS");
      return new Agent(config, layers, server, http, refresher);
    } catch (IOException | RuntimeException e) {
      jobs.close();
      if (layers.exports() != null) {
        layers.exports().close();
      }
      throw e;
    }
  }

  private static void startServer(AgentServer server, AgentConfig config) throws IOException {
    try {
      server.start();
    } catch (IOException e) {
      throw new FerryException(Reason.UNAVAILABLE, "listen " + config.listen() + ": cannot bind ("
          + e.getMessage() + "); is another agent running? choose another address");
    } catch (IllegalArgumentException | IllegalStateException e) {
      throw new FerryException(Reason.INVALID_ARGUMENT, "config tls: cannot use the certificate "
          + "or key (" + e.getMessage() + "); check they are PEM and the key is PKCS#8");
    }
  }

  /**
   * Opens {@code endpoint} through the agent's shared devices, as the NBD export does: writes
   * made through the handle pass the write tap a running job's change feed listens to. Close
   * the handle when done.
   */
  public BlockDevice openShared(Endpoint endpoint) throws IOException {
    if (endpoints == null) {
      throw new FerryException(Reason.UNIMPLEMENTED, "this agent has no endpoint resolver");
    }
    return endpoints.acquire(endpoint, "endpoint");
  }

  /**
   * Exports {@code endpoint} over NBD on {@code address} (a Unix socket or a 127.0.0.1 TCP
   * address), through the agent's shared device: writes made by NBD clients pass the write tap,
   * so a job copying this endpoint merges them. Closing the server releases the device handle.
   */
  public NbdServer exportNbd(Endpoint endpoint, SocketAddress address, boolean readOnly)
      throws IOException {
    return NbdServer.startOwning(openShared(endpoint), address, "ferry", readOnly);
  }

  /** The agent's NBD exports (null without an endpoint resolver). */
  public ExportManager exports() {
    return exports;
  }

  /** The API's bound port (after binding port 0). */
  public int port() {
    return server.port();
  }

  public InetSocketAddress metricsAddress() {
    return metricsServer == null ? null : metricsServer.address();
  }

  public AgentConfig config() {
    return config;
  }

  public JobService jobs() {
    return jobs;
  }

  public void awaitTermination() throws InterruptedException {
    server.awaitTermination();
  }

  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    log.info("stopping: no new calls; jobs stop at a checkpoint and resume on the next start");
    server.shutdown(1, TimeUnit.SECONDS);
    try {
      jobs.close();
    } catch (RuntimeException e) {
      log.error("stopping the jobs failed; they resume from their last checkpoint", e);
    }
    if (exports != null) {
      exports.close(); // after the jobs: online conversions stop their own exports first
    }
    refresher.shutdownNow();
    if (metricsServer != null) {
      metricsServer.close();
    }
    log.info("stopped");
  }
}
