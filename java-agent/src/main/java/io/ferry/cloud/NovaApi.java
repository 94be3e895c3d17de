package io.ferry.cloud;

import static io.ferry.cloud.CinderApi.enc;
import static io.ferry.cloud.CinderApi.text;

import com.fasterxml.jackson.databind.JsonNode;
import io.ferry.cloud.OpenStackHttp.Api;
import java.util.ArrayList;
import java.util.List;

/** Nova through the thin client (microversion 2.89, nova/api/openstack/compute, Zed). */
final class NovaApi {

  private final OpenStackHttp http;

  NovaApi(OpenStackHttp http) {
    this.http = http;
  }

  Server server(String id) {
    JsonNode s = http.get(Api.COMPUTE, "/servers/" + enc(id)).path("server");
    return new Server(text(s, "id"), text(s, "name"), text(s, "status"),
        text(s, "OS-EXT-SRV-ATTR:host"));
  }

  List<ServerVolume> volumeAttachments(String serverId) {
    List<ServerVolume> out = new ArrayList<>();
    for (JsonNode a : http.get(Api.COMPUTE, "/servers/" + enc(serverId)
        + "/os-volume_attachments").path("volumeAttachments")) {
      out.add(new ServerVolume(text(a, "volumeId"), text(a, "serverId"), text(a, "device"),
          text(a, "attachment_id"), text(a, "bdm_uuid")));
    }
    return out;
  }

  List<ServiceStatus> computeServices(String host) {
    List<ServiceStatus> out = new ArrayList<>();
    for (JsonNode s : http.get(Api.COMPUTE, "/os-services?binary=nova-compute&host="
        + enc(host)).path("services")) {
      out.add(new ServiceStatus(text(s, "binary"), text(s, "host"), text(s, "zone"),
          text(s, "status"), text(s, "state"), null, false,
          s.path("forced_down").asBoolean(false)));
    }
    return out;
  }
}
