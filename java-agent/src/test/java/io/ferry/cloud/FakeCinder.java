package io.ferry.cloud;

import static io.ferry.cloud.FakeOpenStack.JSON;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ferry.cloud.FakeCloudModel.Vol;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Cinder v3's answers and actions over a {@link FakeCloudModel} (caller holds its lock). */
final class FakeCinder {

  private static final Set<String> MIGSTAT =
      Set.of("migrating", "error", "success", "completing", "none", "starting");
  private final FakeCloudModel m;

  FakeCinder(FakeCloudModel m) {
    this.m = m;
  }

  JsonNode get(String[] p, Map<String, String> q, int minor) {
    ObjectNode out = JSON.createObjectNode();
    switch (p[0]) {
      case "volumes" -> {
        if (p.length == 2 && p[1].equals("detail")) {
          ArrayNode list = out.putArray("volumes");
          int limit = Integer.parseInt(q.getOrDefault("limit", "1000"));
          boolean started = q.get("marker") == null;
          for (Vol v : m.volumes.values()) {
            if (started && list.size() < limit) {
              m.advance(v); // a read is time passing, as for GET /volumes/{id}
              list.add(view(v, minor));
            }
            started |= v.id.equals(q.get("marker"));
          }
          return out;
        }
        Vol v = m.volumes.get(p[1]);
        if (v == null) {
          return null;
        }
        m.advance(v);
        m.recordConcurrency();
        out.set("volume", view(v, minor));
        return out;
      }
      case "attachments" -> {
        ArrayNode list = out.putArray("attachments");
        for (FakeCloudModel.Att a : m.attachments) {
          if (q.get("volume_id") == null || q.get("volume_id").equals(a.volumeId())) {
            list.addObject().put("id", a.id()).put("status", a.status())
                .put("instance", a.instance()).put("volume_id", a.volumeId());
          }
        }
        return out;
      }
      case "snapshots" -> {
        ArrayNode list = out.putArray("snapshots");
        m.snapshots.forEach((vol, ids) -> ids.forEach(id -> {
          if (q.get("volume_id") == null || q.get("volume_id").equals(vol)) {
            list.addObject().put("id", id).put("volume_id", vol).put("status", "available")
                .put("size", 1).put("name", "snap-" + id);
          }
        }));
        return out;
      }
      case "scheduler-stats" -> {
        ArrayNode list = out.putArray("pools");
        for (FakeCloudModel.PoolRow pr : m.pools) {
          ObjectNode caps = list.addObject().put("name", pr.name()).putObject("capabilities");
          caps.put("pool_name", pr.name().split("#")[1]).put("storage_protocol", "ceph")
              .put("driver_version", "1.2.0").put("vendor_name", "Open Source")
              .put("total_capacity_gb", 100.0).put("volume_backend_name", pr.backendName())
              .put("thin_provisioning_support", true).put("multiattach", true);
          if (pr.free() < 0) {
            caps.put("free_capacity_gb", "unknown");
          } else {
            caps.put("free_capacity_gb", pr.free());
          }
          if (pr.backendState() != null) {
            caps.put("backend_state", pr.backendState());
          }
        }
        return out;
      }
      case "os-services" -> {
        ArrayNode list = out.putArray("services");
        for (FakeCloudModel.Svc s : m.volumeServices) {
          ObjectNode n = list.addObject().put("binary", s.binary()).put("host", s.host())
              .put("zone", "nova").put("status", s.status()).put("state", s.state())
              .put("updated_at", "2026-11-22T04:00:00.000000").put("cluster", (String) null)
              .put("disabled_reason", (String) null).put("replication_status", "disabled")
              .put("active_backend_id", (String) null).put("frozen", false);
          if (minor >= 49) {
            n.put("backend_state", s.backendState());
          }
        }
        return out;
      }
      case "types" -> {
        if (p.length == 3 && p[2].equals("encryption")) {
          String[] e = m.encryption.get(p[1]);
          if (e != null) {
            out.put("volume_type_id", p[1]).put("provider", e[0]).put("cipher", "aes-xts-plain64")
                .put("key_size", 256).put("control_location", e[1]).put("deleted", false)
                .put("encryption_id", "81e069c6-7394-4856-8df7-3b237ca61f74");
          }
          return out;
        }
        ArrayNode list = out.putArray("volume_types");
        m.types.forEach((id, t) -> {
          ObjectNode n = list.addObject().put("id", id).put("name", t[0])
              .put("is_public", true).put("description", (String) null);
          ObjectNode specs = n.putObject("extra_specs");
          if (t[1] != null) {
            specs.put("volume_backend_name", t[1]);
          }
        });
        return out;
      }
      default -> {
        return null;
      }
    }
  }

  /** The view of cinder/api/v2/views/volumes.py + v3 additions, as an admin sees it. */
  private ObjectNode view(Vol v, int minor) {
    ObjectNode n = JSON.createObjectNode();
    n.put("id", v.id).put("status", v.status).put("size", v.size)
        .put("availability_zone", "nova").put("created_at", "2026-11-22T03:00:00.000000")
        .put("updated_at", v.updatedAt).put("name", v.name).put("description", (String) null)
        .put("volume_type", v.type).put("snapshot_id", (String) null)
        .put("source_volid", (String) null).put("user_id", "ee4dfb6e5540447cb3741905149d9b6e")
        .put("bootable", "false").put("encrypted", v.encrypted)
        .put("replication_status", (String) null).put("consistencygroup_id", (String) null)
        .put("multiattach", v.multiattach).put("migration_status", v.migrationStatus)
        .put("os-vol-host-attr:host", v.host)
        .put("os-vol-mig-status-attr:migstat", v.migrationStatus)
        .put("os-vol-mig-status-attr:name_id", (String) null)
        .put("os-vol-tenant-attr:tenant_id", FakeOpenStack.PROJECT_ID)
        .put("group_id", (String) null).put("provider_id", (String) null)
        .put("shared_targets", false).put("service_uuid", "b7f6e1a5");
    n.putObject("metadata");
    n.putArray("links");
    ArrayNode atts = n.putArray("attachments");
    for (FakeCloudModel.Att a : m.attachmentsOf(v.id)) {
      if (a.status().equals("attached")) {
        atts.addObject().put("id", v.id).put("attachment_id", a.id()).put("volume_id", v.id)
            .put("server_id", a.instance()).put("host_name", a.hostName())
            .put("device", "/dev/vdb").put("attached_at", "2026-11-22T03:30:00.000000");
      }
    }
    if (minor >= 63) {
      n.put("volume_type_id", v.typeId);
    }
    return n;
  }

  /** Applies a volume action; returns an error message for a 400, or null. */
  String action(String volumeId, JsonNode body) {
    Vol v = m.volumes.get(volumeId);
    String name = body.fieldNames().next();
    JsonNode a = body.get(name);
    m.actions.add(volumeId + " " + name + " " + a);
    if (v == null) {
      return "Volume " + volumeId + " could not be found.";
    }
    return switch (name) {
      case "os-migrate_volume" -> migrate(v, a);
      case "os-retype" -> retype(v, a);
      case "os-reset_status" -> reset(v, a);
      case "os-roll_detaching" -> {
        if (v.status.equals("detaching")) {
          v.status = "in-use";
        }
        yield null;
      }
      case "os-begin_detaching" -> {
        if (!v.status.equals("in-use")) {
          yield "Unable to detach volume. Volume status must be 'in-use'";
        }
        v.status = "detaching";
        yield null;
      }
      case "os-migrate_volume_completion" -> null;
      default -> "unknown action " + name;
    };
  }

  private String migratable(Vol v) {
    if (!Set.of("available", "in-use").contains(v.status) || v.migrationInProgress()) {
      return "Volume " + v.id + " status must be available or in-use, must not be migrating";
    }
    if (!m.snapshots.getOrDefault(v.id, List.of()).isEmpty()) {
      return "Volume " + v.id + " must not have snapshots";
    }
    return null;
  }

  private String migrate(Vol v, JsonNode a) {
    String host = a.path("host").asText();
    if (m.pools.stream().noneMatch(p -> p.name().equals(host))) {
      return "No available service named '" + host + "'";
    }
    if (host.equals(v.host)) {
      return "Destination host must be different than the current host.";
    }
    String err = migratable(v);
    if (err != null) {
      return err;
    }
    start(v, host);
    if (a.path("lock_volume").asBoolean(false) && v.status.equals("available")) {
      v.status = "maintenance";
    }
    return null;
  }

  private String retype(Vol v, JsonNode a) {
    String type = a.path("new_type").asText();
    var entry = m.types.entrySet().stream()
        .filter(e -> e.getValue()[0].equals(type) || e.getKey().equals(type)).findFirst();
    if (entry.isEmpty()) {
      return "Volume type " + type + " could not be found.";
    }
    String err = migratable(v);
    if (err != null) {
      return err;
    }
    String backendName = entry.get().getValue()[1];
    var dest = m.pools.stream().filter(p -> p.backendName().equals(backendName)).findFirst();
    if (dest.isEmpty()) {
      return "No valid host was found.";
    }
    if (dest.get().name().equals(v.host)) {
      v.type = entry.get().getValue()[0];
      v.typeId = entry.get().getKey();
      return null;
    }
    if (!"on-demand".equals(a.path("migration_policy").asText())) {
      return "Retype requires migration but is not allowed.";
    }
    start(v, dest.get().name());
    v.destType = entry.get().getValue()[0];
    v.status = "retyping";
    return null;
  }

  private void start(Vol v, String dest) {
    v.previousStatus = v.status;
    v.migrationStatus = "starting";
    v.destHost = dest;
    v.stepsLeft = m.migrationSteps;
  }

  private String reset(Vol v, JsonNode a) {
    if (a.hasNonNull("migration_status")
        && !MIGSTAT.contains(a.get("migration_status").asText())) {
      return "Volume migration status: " + a.get("migration_status").asText() + " is invalid";
    }
    if (a.hasNonNull("status")) {
      v.status = a.get("status").asText();
    }
    if (a.hasNonNull("migration_status")) {
      String s = a.get("migration_status").asText();
      v.migrationStatus = s.equals("none") ? null : s;
      v.frozen = false;
    }
    return null;
  }
}
