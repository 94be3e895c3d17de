package io.ferry.config;

/**
 * Prometheus metrics over HTTP (plain, unauthenticated: bind it to a management address).
 *
 * @param listen host:port of the /metrics endpoint; null: no metrics endpoint
 */
public record MetricsConfig(HostPort listen) {
  public static MetricsConfig disabled() {
    return new MetricsConfig(null);
  }
}
