package io.ferry.cloud;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The in-memory state behind {@link FakeOpenStack}: volumes, attachments, servers, pools,
 * services, types. Migrations started through the API advance one step each time the volume is
 * read (starting, migrating x N, completing, success), so tests are deterministic. It also
 * records the highest number of migrations seen at once per key (total, compute host, pool).
 */
final class FakeCloudModel {

  /** A volume's mutable state; the API view is built from it. */
  static final class Vol {
    String id;
    String name;
    String status = "available";
    String previousStatus;
    long size = 1;
    String host;
    String migrationStatus;
    String type = "ceph";
    String typeId = "type-ceph";
    boolean multiattach;
    boolean encrypted;
    String updatedAt = "2026-11-22T04:00:00.000000";
    // migration in progress
    String destHost;
    String destType;
    int stepsLeft;
    boolean frozen;
    boolean failMigration;

    boolean migrationInProgress() {
      return migrationStatus != null && (migrationStatus.equals("starting")
          || migrationStatus.equals("migrating") || migrationStatus.equals("completing"));
    }
  }

  record Att(String id, String volumeId, String instance, String status, String hostName) {}

  record Srv(String id, String status, String host) {}

  record PoolRow(String name, double free, String backendState, String backendName) {}

  record Svc(String binary, String host, String status, String state, String backendState) {}

  final Map<String, Vol> volumes = new LinkedHashMap<>();
  final List<Att> attachments = new ArrayList<>();
  final Map<String, Srv> servers = new HashMap<>();
  final List<PoolRow> pools = new ArrayList<>();
  final List<Svc> volumeServices = new ArrayList<>();
  final List<Svc> computeServices = new ArrayList<>();
  final Map<String, String[]> types = new LinkedHashMap<>(); // id -> {name, backend_name}
  final Map<String, String[]> encryption = new HashMap<>(); // typeId -> {provider, location}
  final Map<String, List<String>> snapshots = new HashMap<>(); // volumeId -> snapshot ids
  final List<String> actions = new ArrayList<>(); // "volumeId os-action {json}"
  final Map<String, Integer> maxConcurrent = new ConcurrentHashMap<>();
  int migrationSteps = 3;

  Vol volume(String id, String host) {
    Vol v = new Vol();
    v.id = id;
    v.name = "vol-" + id;
    v.host = host;
    volumes.put(id, v);
    return v;
  }

  void attach(String volumeId, String serverId, String serverStatus, String computeHost) {
    servers.putIfAbsent(serverId, new Srv(serverId, serverStatus, computeHost));
    attachments.add(new Att("att-" + volumeId + "-" + serverId, volumeId, serverId, "attached",
        computeHost));
    volumes.get(volumeId).status = "in-use";
  }

  void pool(String name, double free, String backendName) {
    pools.add(new PoolRow(name, free, null, backendName));
    String backend = name.split("#")[0];
    if (volumeServices.stream().noneMatch(s -> s.host().equals(backend))) {
      volumeServices.add(new Svc("cinder-volume", backend, "enabled", "up", "up"));
    }
  }

  void type(String id, String name, String backendName) {
    types.put(id, new String[] {name, backendName});
  }

  void computeService(String host, String status, String state) {
    computeServices.add(new Svc("nova-compute", host, status, state, null));
  }

  List<Att> attachmentsOf(String volumeId) {
    return attachments.stream().filter(a -> a.volumeId().equals(volumeId)).toList();
  }

  /** Advances a migration by one step; called on each read of the volume. */
  synchronized void advance(Vol v) {
    if (v.migrationStatus == null || v.frozen || !v.migrationInProgress()) {
      return;
    }
    // Cinder's DB writes touch updated_at; each step here stands for one.
    v.updatedAt = java.time.LocalDateTime.now(java.time.ZoneOffset.UTC).toString();
    switch (v.migrationStatus) {
      case "starting" -> v.migrationStatus = "migrating";
      case "migrating" -> {
        if (--v.stepsLeft <= 0) {
          v.migrationStatus = "completing";
        }
      }
      case "completing" -> finish(v);
      default -> { }
    }
  }

  private void finish(Vol v) {
    if (v.failMigration) {
      v.migrationStatus = "error";
    } else {
      v.migrationStatus = "success";
      v.host = v.destHost;
      if (v.destType != null) {
        v.type = v.destType;
        v.typeId = types.entrySet().stream().filter(e -> e.getValue()[0].equals(v.destType))
            .map(Map.Entry::getKey).findFirst().orElse(v.typeId);
      }
    }
    if ("retyping".equals(v.status) || "maintenance".equals(v.status)) {
      v.status = v.previousStatus;
    }
    v.destHost = null;
    v.destType = null;
  }

  /** Counts the migrations under way per key and keeps the maximum seen. */
  synchronized void recordConcurrency() {
    Map<String, Integer> now = new HashMap<>();
    for (Vol v : volumes.values()) {
      if (v.migrationInProgress()) {
        now.merge("total", 1, Integer::sum);
        now.merge("pool:" + v.host, 1, Integer::sum);
        for (Att a : attachmentsOf(v.id)) {
          now.merge("compute:" + servers.get(a.instance()).host(), 1, Integer::sum);
        }
      }
    }
    now.forEach((k, n) -> maxConcurrent.merge(k, n, Math::max));
  }

  int max(String key) {
    return maxConcurrent.getOrDefault(key, 0);
  }
}
