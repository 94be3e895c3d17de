package io.ferry.config;

import java.nio.file.Path;
import java.util.List;

/**
 * Mutual TLS of the agent's API.
 *
 * @param cert the agent's certificate chain (PEM)
 * @param key the agent's private key (PEM, PKCS#8: "BEGIN PRIVATE KEY")
 * @param clientCa the CA bundle (PEM) that signs client certificates; clients must present one
 * @param allowedClients client identities allowed to call: a certificate's subject CN or one of its
 *     DNS or URI subject alternative names
 */
public record TlsConfig(Path cert, Path key, Path clientCa, List<String> allowedClients) {

  public TlsConfig {
    allowedClients = allowedClients == null ? List.of() : List.copyOf(allowedClients);
  }

  TlsConfig withBase(Path base) {
    return new TlsConfig(
        Paths2.under(base, cert), Paths2.under(base, key), Paths2.under(base, clientCa),
        allowedClients);
  }
}
