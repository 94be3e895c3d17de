package io.ferry.config;

import java.nio.file.Path;

/**
 * A Ceph cluster the agent may use. Requests name it by its id; credentials stay here and never
 * travel in requests, logs or job records (only the keyring's path is known to Ferry; its content
 * is read by librados).
 *
 * @param cephConf the cluster's ceph.conf
 * @param clientId the cephx user without "client.", e.g. "cinder"
 * @param keyring the keyring file of that user; null: whatever ceph.conf names
 * @param libvirtSecretUuid the libvirt secret holding that user's key (live mirrors); optional
 */
public record ClusterConfig(Path cephConf, String clientId, Path keyring, String libvirtSecretUuid) {

  public ClusterConfig {
    clientId = clientId == null || clientId.isBlank() ? "admin" : clientId;
  }

  ClusterConfig withBase(Path base) {
    return new ClusterConfig(
        Paths2.under(base, cephConf), clientId, Paths2.under(base, keyring), libvirtSecretUuid);
  }

  /** Never prints the keyring content (Ferry never reads it); the path only. */
  @Override
  public String toString() {
    return "ClusterConfig[cephConf=" + cephConf + ", clientId=" + clientId + ", keyring="
        + keyring + ", libvirtSecretUuid=" + (libvirtSecretUuid == null ? "-" : "set") + "]";
  }
}
