package io.ferry.cloud;

import com.fasterxml.jackson.databind.JsonNode;
import io.ferry.cloud.OpenStackHttp.Api;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Cinder v3 through the thin client. Field names follow cinder/api/v2/views/volumes.py,
 * v3/views/attachments.py, contrib/services.py and views/scheduler_stats.py (Zed).
 */
final class CinderApi {

  private static final int PAGE = 500;
  private final OpenStackHttp http;

  CinderApi(OpenStackHttp http) {
    this.http = http;
  }

  Volume volume(String id) {
    return toVolume(http.get(Api.VOLUME, "/volumes/" + enc(id)).path("volume"));
  }

  List<Volume> volumes() {
    List<Volume> out = new ArrayList<>();
    String marker = null;
    while (true) {
      String q = "/volumes/detail?all_tenants=1&limit=" + PAGE
          + (marker == null ? "" : "&marker=" + enc(marker));
      JsonNode page = http.get(Api.VOLUME, q).path("volumes");
      for (JsonNode v : page) {
        out.add(toVolume(v));
      }
      if (page.size() < PAGE) {
        return out;
      }
      marker = out.get(out.size() - 1).id();
    }
  }

  List<Attachment> attachments(String volumeId) {
    List<Attachment> out = new ArrayList<>();
    JsonNode list = http.get(Api.VOLUME,
        "/attachments?all_tenants=1&volume_id=" + enc(volumeId)).path("attachments");
    for (JsonNode a : list) {
      out.add(new Attachment(text(a, "id"), text(a, "status"), text(a, "instance"),
          text(a, "volume_id")));
    }
    return out;
  }

  List<Snapshot> snapshots(String volumeId) {
    List<Snapshot> out = new ArrayList<>();
    JsonNode list = http.get(Api.VOLUME,
        "/snapshots?all_tenants=1&volume_id=" + enc(volumeId)).path("snapshots");
    for (JsonNode s : list) {
      // Older releases ignore the filter for some users: filter again here.
      if (volumeId.equals(text(s, "volume_id"))) {
        out.add(new Snapshot(text(s, "id"), text(s, "volume_id"), text(s, "status")));
      }
    }
    return out;
  }

  List<Pool> pools() {
    List<Pool> out = new ArrayList<>();
    for (JsonNode p : http.get(Api.VOLUME, "/scheduler-stats/get_pools?detail=true")
        .path("pools")) {
      JsonNode caps = p.path("capabilities");
      out.add(new Pool(text(p, "name"), capacity(caps.path("free_capacity_gb")),
          capacity(caps.path("total_capacity_gb")), text(caps, "backend_state"),
          text(caps, "volume_backend_name")));
    }
    return out;
  }

  List<ServiceStatus> services() {
    List<ServiceStatus> out = new ArrayList<>();
    for (JsonNode s : http.get(Api.VOLUME, "/os-services?binary=cinder-volume")
        .path("services")) {
      out.add(new ServiceStatus(text(s, "binary"), text(s, "host"), text(s, "zone"),
          text(s, "status"), text(s, "state"), text(s, "backend_state"),
          s.path("frozen").asBoolean(false), false));
    }
    return out;
  }

  List<VolumeType> types() {
    List<VolumeType> out = new ArrayList<>();
    for (JsonNode t : http.get(Api.VOLUME, "/types?is_public=None").path("volume_types")) {
      out.add(new VolumeType(text(t, "id"), text(t, "name"),
          text(t.path("extra_specs"), "volume_backend_name")));
    }
    return out;
  }

  /** The API answers the spec itself, or {} when the type is not encrypted. */
  Optional<Encryption> encryption(String typeId) {
    JsonNode e = http.get(Api.VOLUME, "/types/" + enc(typeId) + "/encryption");
    String provider = text(e, "provider");
    return provider == null ? Optional.empty()
        : Optional.of(new Encryption(provider, text(e, "control_location")));
  }

  void action(String volumeId, String name, Map<String, Object> params) {
    http.post(Api.VOLUME, "/volumes/" + enc(volumeId) + "/action", Map.of(name, params));
  }

  static Map<String, Object> nonNull(Object... kv) {
    Map<String, Object> m = new LinkedHashMap<>();
    for (int i = 0; i < kv.length; i += 2) {
      if (kv[i + 1] != null) {
        m.put((String) kv[i], kv[i + 1]);
      }
    }
    return m;
  }

  static Volume toVolume(JsonNode v) {
    List<Volume.Attached> attached = new ArrayList<>();
    for (JsonNode a : v.path("attachments")) {
      attached.add(new Volume.Attached(text(a, "attachment_id"), text(a, "server_id"),
          text(a, "host_name")));
    }
    String migstat = text(v, "migration_status");
    if (migstat == null) {
      migstat = text(v, "os-vol-mig-status-attr:migstat");
    }
    return new Volume(text(v, "id"), text(v, "name"), text(v, "status"),
        v.path("size").asLong(0), text(v, "os-vol-host-attr:host"), migstat,
        text(v, "volume_type"), text(v, "volume_type_id"), v.path("multiattach").asBoolean(false),
        v.path("encrypted").asBoolean(false), attached, text(v, "updated_at"));
  }

  /** Capacities are numbers, or the strings "infinite" / "unknown" (reported as -1). */
  private static double capacity(JsonNode n) {
    if (n.isNumber()) {
      return n.asDouble();
    }
    try {
      return Double.parseDouble(n.asText());
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  static String text(JsonNode n, String field) {
    JsonNode v = n.path(field);
    return v.isMissingNode() || v.isNull() ? null : v.asText();
  }

  static String enc(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }
}
