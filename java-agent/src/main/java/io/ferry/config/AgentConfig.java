package io.ferry.config;

import com.fasterxml.jackson.databind.annotation.JsonDeserialize;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The agent's configuration, as read from its YAML file by {@link ConfigLoader} (keys are the
 * snake_case of these names; see ferry-agent.example.yaml for every key with a comment).
 *
 * @param listen the API's address; default 127.0.0.1:7420
 * @param insecurePlaintext serve without TLS; allowed only on a loopback address
 * @param tls mutual TLS; required unless insecurePlaintext
 * @param roots file-endpoint roots by id; requests name a root id and a path relative to it
 * @param journalDir where jobs are journaled (created if missing)
 * @param budgets host budgets shared by all jobs
 * @param copyDefaults chunk size and parallelism when a request leaves them at 0
 * @param clusters Ceph clusters by id
 * @param metrics the Prometheus endpoint
 * @param libvirtUri libvirt connection for live mirrors; default qemu:///system
 * @param keepFinishedJobs how long a finished job stays listed (and in the journal) after it
 *     ended; default {@link #DEFAULT_KEEP_FINISHED_JOBS}
 */
public record AgentConfig(
    HostPort listen,
    Boolean insecurePlaintext,
    TlsConfig tls,
    Map<String, Path> roots,
    Path journalDir,
    BudgetConfig budgets,
    CopyDefaults copyDefaults,
    Map<String, ClusterConfig> clusters,
    MetricsConfig metrics,
    String libvirtUri,
    @JsonDeserialize(using = Durations.Deserializer.class) Duration keepFinishedJobs) {

  public static final HostPort DEFAULT_LISTEN = new HostPort("127.0.0.1", 7420);
  public static final String DEFAULT_LIBVIRT_URI = "qemu:///system";
  public static final Duration DEFAULT_KEEP_FINISHED_JOBS = Duration.ofDays(7);

  public AgentConfig {
    listen = listen == null ? DEFAULT_LISTEN : listen;
    insecurePlaintext = insecurePlaintext != null && insecurePlaintext;
    roots = roots == null ? Map.of() : java.util.Collections.unmodifiableMap(new LinkedHashMap<>(roots));
    budgets = budgets == null ? BudgetConfig.defaults() : budgets;
    copyDefaults = copyDefaults == null ? CopyDefaults.defaults() : copyDefaults;
    clusters =
        clusters == null
            ? Map.of()
            : java.util.Collections.unmodifiableMap(new LinkedHashMap<>(clusters));
    metrics = metrics == null ? MetricsConfig.disabled() : metrics;
    libvirtUri = libvirtUri == null || libvirtUri.isBlank() ? DEFAULT_LIBVIRT_URI : libvirtUri;
    keepFinishedJobs = keepFinishedJobs == null ? DEFAULT_KEEP_FINISHED_JOBS : keepFinishedJobs;
  }

  /** Without keep_finished_jobs (the default retention): the form callers used before it. */
  public AgentConfig(HostPort listen, Boolean insecurePlaintext, TlsConfig tls,
      Map<String, Path> roots, Path journalDir, BudgetConfig budgets, CopyDefaults copyDefaults,
      Map<String, ClusterConfig> clusters, MetricsConfig metrics, String libvirtUri) {
    this(listen, insecurePlaintext, tls, roots, journalDir, budgets, copyDefaults, clusters,
        metrics, libvirtUri, null);
  }

  /** Resolves relative paths against the config file's directory. */
  AgentConfig withBase(Path base) {
    Map<String, Path> r = new LinkedHashMap<>();
    roots.forEach((id, p) -> r.put(id, Paths2.under(base, p)));
    Map<String, ClusterConfig> c = new LinkedHashMap<>();
    clusters.forEach((id, cc) -> c.put(id, cc == null ? null : cc.withBase(base)));
    return new AgentConfig(
        listen, insecurePlaintext, tls == null ? null : tls.withBase(base), r,
        Paths2.under(base, journalDir), budgets, copyDefaults, c, metrics, libvirtUri,
        keepFinishedJobs);
  }

  /** A copy with another listen address (tests bind port 0). */
  public AgentConfig withListen(HostPort address) {
    return new AgentConfig(
        address, insecurePlaintext, tls, roots, journalDir, budgets, copyDefaults, clusters,
        metrics, libvirtUri, keepFinishedJobs);
  }
}
