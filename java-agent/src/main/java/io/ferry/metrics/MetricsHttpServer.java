package io.ferry.metrics;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.ferry.config.HostPort;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * Serves GET /metrics (Prometheus text format) with the JDK's HTTP server. Job meters are
 * refreshed just before each scrape.
 */
public final class MetricsHttpServer implements AutoCloseable {

  private final HttpServer server;
  private final ExecutorService executor = Executors.newSingleThreadExecutor(r -> {
    Thread t = new Thread(r, "metrics-http");
    t.setDaemon(true);
    return t;
  });

  public MetricsHttpServer(HostPort listen, Metrics metrics, Runnable beforeScrape)
      throws IOException {
    server = HttpServer.create(listen.toSocketAddress(), 16);
    server.createContext("/metrics", exchange -> handle(exchange, metrics, beforeScrape));
    server.setExecutor(executor);
  }

  public MetricsHttpServer start() {
    server.start();
    return this;
  }

  public InetSocketAddress address() {
    return server.getAddress();
  }

  private static void handle(HttpExchange ex, Metrics metrics, Runnable beforeScrape)
      throws IOException {
    try (ex) {
      if (!"GET".equals(ex.getRequestMethod()) && !"HEAD".equals(ex.getRequestMethod())) {
        ex.sendResponseHeaders(405, -1);
        return;
      }
      beforeScrape.run();
      byte[] body = metrics.scrape().getBytes(StandardCharsets.UTF_8);
      ex.getResponseHeaders().set("Content-Type", "text/plain; version=0.0.4; charset=utf-8");
      ex.sendResponseHeaders(200, body.length);
      try (OutputStream out = ex.getResponseBody()) {
        out.write(body);
      }
    }
  }

  @Override
  public void close() {
    server.stop(0);
    executor.shutdownNow();
  }
}
