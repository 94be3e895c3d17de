package io.ferry.cloud;

import static io.ferry.cloud.FakeOpenStack.JSON;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Map;

/** Nova's answers over a {@link FakeCloudModel} (nova/api/openstack/compute, Zed). */
final class FakeNova {

  private final FakeCloudModel m;

  FakeNova(FakeCloudModel m) {
    this.m = m;
  }

  JsonNode get(String[] p, Map<String, String> q, int minor) {
    ObjectNode out = JSON.createObjectNode();
    if (p[0].equals("servers") && p.length >= 2) {
      FakeCloudModel.Srv s = m.servers.get(p[1]);
      if (s == null) {
        return null;
      }
      if (p.length == 3 && p[2].equals("os-volume_attachments")) {
        ArrayNode list = out.putArray("volumeAttachments");
        for (FakeCloudModel.Att a : m.attachments) {
          if (a.instance().equals(s.id())) {
            ObjectNode n = list.addObject();
            if (minor < 89) {
              n.put("id", a.volumeId());
            }
            n.put("volumeId", a.volumeId()).put("serverId", s.id()).put("device", "/dev/vdb");
            if (minor >= 70) {
              n.put("tag", (String) null);
            }
            if (minor >= 79) {
              n.put("delete_on_termination", false);
            }
            if (minor >= 89) {
              n.put("attachment_id", a.id()).put("bdm_uuid", "bdm-" + a.id());
            }
          }
        }
        return out;
      }
      ObjectNode n = out.putObject("server");
      n.put("id", s.id()).put("name", "vm-" + s.id()).put("status", s.status())
          .put("OS-EXT-SRV-ATTR:host", s.host())
          .put("OS-EXT-SRV-ATTR:hypervisor_hostname", s.host())
          .put("OS-EXT-STS:vm_state", s.status().toLowerCase())
          .put("tenant_id", FakeOpenStack.PROJECT_ID);
      return out;
    }
    if (p[0].equals("os-services")) {
      ArrayNode list = out.putArray("services");
      for (FakeCloudModel.Svc s : m.computeServices) {
        if (q.get("host") == null || q.get("host").equals(s.host())) {
          list.addObject().put("id", "4c8b3f5e-7d3e-4b34-9e5a-0b7e8c7d9a11")
              .put("binary", s.binary()).put("host", s.host()).put("zone", "nova")
              .put("status", s.status()).put("state", s.state())
              .put("updated_at", "2026-11-22T04:00:00.000000")
              .put("disabled_reason", (String) null).put("forced_down", false);
        }
      }
      return out;
    }
    return null;
  }
}
