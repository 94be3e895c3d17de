package io.ferry.server;

import io.grpc.BindableService;
import io.grpc.Server;
import io.grpc.ServerBuilder;
import io.grpc.ServerInterceptor;
import io.grpc.ServerInterceptors;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.services.HealthStatusManager;
import java.io.IOException;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The agent's gRPC server: the Ferry API and the standard health service behind the given
 * interceptors (client authentication under TLS). It takes a {@link ServerBuilder} so that tests
 * use the in-process transport and the daemon a TLS-configured Netty one ({@link TlsServers}).
 */
public final class AgentServer implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(AgentServer.class);
  public static final String SERVICE_NAME = "ferry.v1.FerryAgent";

  private final Server server;
  private final HealthStatusManager health = new HealthStatusManager();

  public AgentServer(ServerBuilder<?> builder, BindableService api,
      List<ServerInterceptor> interceptors) {
    builder.addService(ServerInterceptors.intercept(api, interceptors));
    builder.addService(ServerInterceptors.intercept(health.getHealthService(), interceptors));
    this.server = builder.build();
  }

  public AgentServer start() throws IOException {
    server.start();
    health.setStatus("", ServingStatus.SERVING);
    health.setStatus(SERVICE_NAME, ServingStatus.SERVING);
    return this;
  }

  /** The bound port (useful after binding port 0); -1 for in-process servers. */
  public int port() {
    return server.getPort();
  }

  /**
   * Stops accepting calls, reports NOT_SERVING, gives running calls (watch streams) {@code grace}
   * to finish and then cancels them.
   */
  public void shutdown(long grace, TimeUnit unit) {
    health.enterTerminalState();
    server.shutdown();
    try {
      if (!server.awaitTermination(grace, unit)) {
        log.info("cancelling calls still open after {} {}", grace, unit);
        server.shutdownNow();
        server.awaitTermination(5, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      server.shutdownNow();
      Thread.currentThread().interrupt();
    }
  }

  public void awaitTermination() throws InterruptedException {
    server.awaitTermination();
  }

  @Override
  public void close() {
    shutdown(2, TimeUnit.SECONDS);
  }
}
