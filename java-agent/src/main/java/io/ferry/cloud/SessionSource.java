package io.ferry.cloud;

/** Gives a valid session, authenticating again when the token is about to expire. */
public interface SessionSource {

  CloudSession session();

  /** Forgets the current token (e.g. after a 401) so the next call authenticates again. */
  void invalidate();

  /** The region and interface endpoints are chosen for. */
  String region();

  String iface();

  /** TLS settings for the thin client, the same ones used for Keystone. */
  javax.net.ssl.SSLContext sslContext();
}
