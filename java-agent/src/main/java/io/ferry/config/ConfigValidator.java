package io.ferry.config;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.regex.Pattern;

/** Checks a parsed config for what the types alone cannot: ranges, files, TLS rules. */
final class ConfigValidator {

  private static final Pattern ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");
  private static final Pattern UUID =
      Pattern.compile("[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}");
  static final long MIN_CHUNK = 4096;
  static final long MAX_CHUNK = 64L << 20;
  static final java.time.Duration MIN_KEEP_FINISHED = java.time.Duration.ofHours(1);
  static final java.time.Duration MAX_KEEP_FINISHED = java.time.Duration.ofDays(3650);

  private ConfigValidator() {}

  static void validate(String file, AgentConfig c) {
    checkTransport(file, c);
    checkRoots(file, c.roots());
    if (c.journalDir() == null) {
      throw ConfigLoader.error(file, "journal_dir: required; name a directory on local disk "
          + "where jobs are journaled, e.g. /var/lib/ferry/journal");
    }
    if (Files.exists(c.journalDir()) && !Files.isDirectory(c.journalDir())) {
      throw ConfigLoader.error(file, "journal_dir: " + c.journalDir() + " is not a directory");
    }
    checkBudgets(file, c.budgets(), c.copyDefaults());
    c.clusters().forEach((id, cluster) -> checkCluster(file, id, cluster));
    checkKeepFinished(file, c.keepFinishedJobs());
  }

  /**
   * Below an hour a client polling a job it started (the Cinder driver) could find it gone
   * before it read the outcome; beyond ten years the value is a typo (a unit forgotten).
   */
  private static void checkKeepFinished(String file, java.time.Duration keep) {
    if (keep.compareTo(MIN_KEEP_FINISHED) < 0 || keep.compareTo(MAX_KEEP_FINISHED) > 0) {
      throw ConfigLoader.error(file, "keep_finished_jobs: " + Durations.format(keep)
          + " is out of range 1h..3650d (how long a finished job stays listed); use e.g. 7d");
    }
  }

  private static void checkTransport(String file, AgentConfig c) {
    if (c.insecurePlaintext()) {
      if (c.tls() != null) {
        throw ConfigLoader.error(file, "insecure_plaintext: true with a tls section; "
            + "remove one of them");
      }
      if (!c.listen().isLoopback()) {
        throw ConfigLoader.error(file, "insecure_plaintext: allowed only when listen is a "
            + "loopback address (127.0.0.1, ::1), not " + c.listen() + "; configure tls instead");
      }
      return;
    }
    TlsConfig tls = c.tls();
    if (tls == null) {
      throw ConfigLoader.error(file, "tls: required; give tls.cert, tls.key, tls.client_ca and "
          + "tls.allowed_clients (or insecure_plaintext: true on a loopback listen address)");
    }
    requireFile(file, "tls.cert", tls.cert(), "the agent's PEM certificate");
    requireFile(file, "tls.key", tls.key(), "the agent's PEM (PKCS#8) private key");
    requireFile(file, "tls.client_ca", tls.clientCa(), "the PEM CA bundle of client certificates");
    if (tls.allowedClients().isEmpty()) {
      throw ConfigLoader.error(file, "tls.allowed_clients: required; list the client identities "
          + "(certificate CN, DNS or URI SAN) allowed to call the agent");
    }
    for (String id : tls.allowedClients()) {
      if (id == null || id.isBlank()) {
        throw ConfigLoader.error(file, "tls.allowed_clients: an entry is empty; remove it");
      }
    }
  }

  private static void checkRoots(String file, Map<String, Path> roots) {
    roots.forEach(
        (id, dir) -> {
          checkId(file, "roots", id);
          if (dir == null) {
            throw ConfigLoader.error(file, "roots." + id + ": required; give a directory");
          }
          if (!Files.isDirectory(dir)) {
            throw ConfigLoader.error(file, "roots." + id + ": " + dir
                + " is not a directory; create it or fix the path");
          }
        });
  }

  private static void checkBudgets(String file, BudgetConfig b, CopyDefaults d) {
    if (b.maxConcurrentJobs() < 1 || b.maxConcurrentJobs() > 1024) {
      throw ConfigLoader.error(file, "budgets.max_concurrent_jobs: " + b.maxConcurrentJobs()
          + " is out of range 1..1024");
    }
    if (b.totalBandwidth() < 0) {
      throw ConfigLoader.error(file, "budgets.total_bandwidth: must not be negative");
    }
    long chunk = d.chunkSize();
    if (chunk < MIN_CHUNK || chunk > MAX_CHUNK || chunk % 512 != 0) {
      throw ConfigLoader.error(file, "copy_defaults.chunk_size: " + chunk + " bytes is not a "
          + "multiple of 512 in 4KiB..64MiB; use e.g. 4MiB");
    }
    if (d.parallelism() < 1 || d.parallelism() > 256) {
      throw ConfigLoader.error(file, "copy_defaults.parallelism: " + d.parallelism()
          + " is out of range 1..256");
    }
  }

  private static void checkCluster(String file, String id, ClusterConfig c) {
    checkId(file, "clusters", id);
    String key = "clusters." + id;
    if (c == null || c.cephConf() == null) {
      throw ConfigLoader.error(file, key + ".ceph_conf: required; give the cluster's ceph.conf");
    }
    requireFile(file, key + ".ceph_conf", c.cephConf(), "the cluster's ceph.conf");
    if (c.keyring() != null) {
      requireFile(file, key + ".keyring", c.keyring(), "the keyring of client." + c.clientId());
    }
    if (c.libvirtSecretUuid() != null && !UUID.matcher(c.libvirtSecretUuid()).matches()) {
      throw ConfigLoader.error(file, key + ".libvirt_secret_uuid: not a UUID; "
          + "give the uuid shown by `virsh secret-list`");
    }
  }

  private static void checkId(String file, String section, String id) {
    if (!ID.matcher(id).matches()) {
      throw ConfigLoader.error(file, section + "." + id + ": ids are letters, digits, '.', '_' "
          + "and '-' (at most 64), starting with a letter or digit");
    }
  }

  private static void requireFile(String file, String key, Path p, String what) {
    if (p == null) {
      throw ConfigLoader.error(file, key + ": required; give " + what);
    }
    if (!Files.isRegularFile(p)) {
      throw ConfigLoader.error(file, key + ": " + p + " does not exist; give " + what);
    }
    if (!Files.isReadable(p)) {
      throw ConfigLoader.error(file, key + ": " + p + " is not readable by the agent; "
          + "fix its permissions");
    }
  }
}
