package io.ferry.server;

import io.ferry.config.AgentConfig;
import io.ferry.config.TlsConfig;
import io.ferry.error.FerryException;
import io.ferry.error.Reason;
import io.grpc.InsecureServerCredentials;
import io.grpc.ServerCredentials;
import io.grpc.ServerInterceptor;
import io.grpc.TlsServerCredentials;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import java.io.IOException;
import java.util.HashSet;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Builds the network side of the server from the config: Netty bound to the listen address with
 * mutual TLS (client certificates REQUIRED and verified against tls.client_ca) plus the
 * allowed-clients check, or plaintext on loopback when the config says so.
 */
public final class TlsServers {

  private static final Logger log = LoggerFactory.getLogger(TlsServers.class);

  /** The builder and the interceptors that go with it. */
  public record Transport(NettyServerBuilder builder, List<ServerInterceptor> interceptors) {}

  private TlsServers() {}

  public static Transport forConfig(AgentConfig config) {
    if (config.insecurePlaintext()) {
      log.warn("!!! insecure_plaintext: the API on {} has NO TLS and NO client authentication; "
          + "any local user can start and cancel jobs. Use it only for tests and the quick "
          + "start. !!!", config.listen());
      return new Transport(
          NettyServerBuilder.forAddress(config.listen().toSocketAddress(),
              InsecureServerCredentials.create()), List.of());
    }
    TlsConfig tls = config.tls();
    ServerCredentials creds = credentials(tls);
    NettyServerBuilder builder;
    try {
      // Netty parses the PEM files here.
      builder = NettyServerBuilder.forAddress(config.listen().toSocketAddress(), creds);
    } catch (RuntimeException e) {
      throw unusable(e);
    }
    return new Transport(builder,
        List.of(new ClientAuthInterceptor(new HashSet<>(tls.allowedClients()))));
  }

  private static FerryException unusable(Exception e) {
    return new FerryException(Reason.INVALID_ARGUMENT,
        "config tls: cannot load the certificate, key or client CA (" + e.getMessage()
            + "); check they are PEM and that the key is PKCS#8 (BEGIN PRIVATE KEY)");
  }

  static ServerCredentials credentials(TlsConfig tls) {
    try {
      return TlsServerCredentials.newBuilder()
          .keyManager(tls.cert().toFile(), tls.key().toFile())
          .trustManager(tls.clientCa().toFile())
          .clientAuth(TlsServerCredentials.ClientAuth.REQUIRE)
          .build();
    } catch (IOException | RuntimeException e) {
      throw unusable(e);
    }
  }
}
