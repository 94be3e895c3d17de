package io.ferry.device.rbd;

import io.ferry.error.FerryException;
import java.nio.file.Path;
import java.time.Duration;

/**
 * How to reach one Ceph cluster, as the agent's config names it. Holds paths, never key material.
 *
 * @param id the cluster id endpoints refer to
 * @param confPath ceph.conf (mon_host and client options)
 * @param clientId cephx client id ("admin", "cinder"); the name used is {@code client.<id>}
 * @param keyringPath keyring file, or null for the one ceph.conf names
 * @param connectTimeout bound on connecting and on each monitor operation
 */
public record RbdClusterSpec(
    String id, Path confPath, String clientId, Path keyringPath, Duration connectTimeout) {

  public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(30);

  public RbdClusterSpec {
    if (id == null || id.isBlank()) {
      throw FerryException.invalid("cluster.id", "must not be empty");
    }
    if (confPath == null) {
      throw FerryException.invalid("cluster " + id + ".ceph_conf", "must be set");
    }
    if (clientId == null || clientId.isBlank()) {
      clientId = "admin";
    }
    if (connectTimeout == null || connectTimeout.isZero() || connectTimeout.isNegative()) {
      connectTimeout = DEFAULT_CONNECT_TIMEOUT;
    }
  }

  /** A spec with the admin client, the conf's keyring and the default timeout. */
  public static RbdClusterSpec of(String id, Path confPath) {
    return new RbdClusterSpec(id, confPath, "admin", null, null);
  }

  /** The RADOS entity name, {@code client.<id>}. */
  public String clientName() {
    return clientId.startsWith("client.") ? clientId : "client." + clientId;
  }
}
