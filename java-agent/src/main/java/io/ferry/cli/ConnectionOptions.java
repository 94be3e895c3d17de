package io.ferry.cli;

import io.ferry.config.HostPort;
import io.grpc.ChannelCredentials;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.TlsChannelCredentials;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.io.IOException;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** How the CLI reaches the agent (a picocli mixin of every client command). */
final class ConnectionOptions {

  @Option(names = "--agent", paramLabel = "HOST:PORT",
      defaultValue = "${env:FERRY_AGENT:-127.0.0.1:7420}",
      description = "The agent's address (default: $FERRY_AGENT, else ${DEFAULT-VALUE}).")
  String agent;

  @Option(names = "--cert", paramLabel = "PEM", defaultValue = "${env:FERRY_CERT}",
      description = "Client certificate (default: $FERRY_CERT).")
  Path cert;

  @Option(names = "--key", paramLabel = "PEM", defaultValue = "${env:FERRY_KEY}",
      description = "Client private key, PKCS#8 (default: $FERRY_KEY).")
  Path key;

  @Option(names = "--ca", paramLabel = "PEM", defaultValue = "${env:FERRY_CA}",
      description = "CA bundle that signs the agent's certificate (default: $FERRY_CA).")
  Path ca;

  @Option(names = "--server-name", paramLabel = "NAME",
      description = "Name to expect in the agent's certificate (default: the --agent host).")
  String serverName;

  @Option(names = "--call-timeout", paramLabel = "SECONDS", defaultValue = "60",
      description = "Deadline of each call (not of watching a job); default ${DEFAULT-VALUE}.")
  long timeoutSeconds;

  @Option(names = "--plaintext",
      description = "No TLS: only for an agent with insecure_plaintext on loopback.")
  boolean plaintext;

  HostPort address() {
    try {
      return HostPort.parse(agent);
    } catch (IllegalArgumentException e) {
      throw new CliException(ExitCodes.USAGE, "--agent: " + e.getMessage());
    }
  }

  ManagedChannel channel() {
    return builder().build();
  }

  /** A channel to the agent, not built yet (a caller may give it its own event loop). */
  NettyChannelBuilder builder() {
    HostPort address = address();
    NettyChannelBuilder b =
        NettyChannelBuilder.forAddress(address.host(), address.port(), credentials());
    if (serverName != null) {
      b.overrideAuthority(serverName);
    }
    return b;
  }

  private ChannelCredentials credentials() {
    if (plaintext) {
      return InsecureChannelCredentials.create();
    }
    if (cert == null || key == null || ca == null) {
      throw new CliException(ExitCodes.USAGE, "no client certificate: give --cert, --key and "
          + "--ca (or $FERRY_CERT, $FERRY_KEY, $FERRY_CA), or --plaintext for a loopback agent "
          + "running with insecure_plaintext");
    }
    try {
      return TlsChannelCredentials.newBuilder()
          .keyManager(cert.toFile(), key.toFile())
          .trustManager(ca.toFile())
          .build();
    } catch (IOException | RuntimeException e) {
      throw new CliException(ExitCodes.USAGE, "cannot read the client certificate, key or CA ("
          + e.getMessage() + "); check --cert, --key (PKCS#8 PEM) and --ca");
    }
  }
}
