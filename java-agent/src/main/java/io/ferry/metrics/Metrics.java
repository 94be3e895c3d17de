package io.ferry.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;

/**
 * The agent's metrics facade: what other layers may count without knowing Micrometer. Names follow
 * Prometheus' conventions once exported (ferry_copied_bytes_total, ferry_errors_total, ...).
 */
public final class Metrics {

  private final PrometheusMeterRegistry registry;

  public Metrics() {
    this(new PrometheusMeterRegistry(PrometheusConfig.DEFAULT));
  }

  public Metrics(PrometheusMeterRegistry registry) {
    this.registry = registry;
  }

  public PrometheusMeterRegistry registry() {
    return registry;
  }

  /** Data bytes copied to destinations, all jobs. */
  public void bytesCopied(long bytes) {
    if (bytes > 0) {
      Counter.builder("ferry.copied").baseUnit("bytes")
          .description("Data bytes copied to destinations, all passes and jobs")
          .register(registry).increment(bytes);
    }
  }

  /**
   * One error, by gRPC status code name and where it surfaced: "rpc" (an API call answered with
   * an error) or "job" (a job that ended FAILED).
   */
  public void error(String code, String source) {
    Counter.builder("ferry.errors").description("Errors by status code and where they surfaced")
        .tag("code", code).tag("source", source).register(registry).increment();
  }

  /** The Prometheus text exposition of everything registered. */
  public String scrape() {
    return registry.scrape();
  }
}
