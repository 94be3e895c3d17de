package io.ferry.virt;

import io.ferry.config.ClusterConfig;
import io.ferry.endpoint.FileRoots;
import io.ferry.error.FerryException;
import io.ferry.error.Reason;
import io.ferry.proto.v1.Endpoint;
import io.ferry.proto.v1.FileImage;
import io.ferry.proto.v1.RbdImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Turns a live-mirror request's destination (an endpoint from the agent's config, or a {@code
 * <disk>} element the caller prepared) into the disk XML libvirt's block copy takes. RBD
 * destinations reach their cluster through the monitors in its ceph.conf; cephx is used only
 * when the cluster config names a libvirt secret.
 */
public final class MirrorDestinations {

  private static final Pattern MON_HOST =
      Pattern.compile("^\\s*mon[ _]host\\s*=\\s*(.+)$", Pattern.MULTILINE);

  private final Map<String, ClusterConfig> clusters;
  private final FileRoots roots;

  public MirrorDestinations(Map<String, ClusterConfig> clusters, FileRoots roots) {
    this.clusters = clusters;
    this.roots = roots;
  }

  public DestinationDisk resolve(Endpoint destination, String destinationXml) {
    if (destinationXml != null && !destinationXml.isBlank()) {
      return DestinationDisk.fromXml(destinationXml);
    }
    return switch (destination.getKindCase()) {
      case RBD -> rbd(destination.getRbd());
      case FILE -> file(destination.getFile());
      default -> throw FerryException.invalid("destination", "set rbd, file or destination_xml");
    };
  }

  private DestinationDisk rbd(RbdImage img) {
    ClusterConfig c = clusters.get(img.getClusterId());
    if (c == null) {
      throw FerryException.notFound("destination.rbd.cluster_id: no cluster '"
          + img.getClusterId() + "' in the agent's config (known: " + clusters.keySet() + ")");
    }
    if (!img.getNamespace().isEmpty()) {
      throw DestinationDisk.namespaceRefused("destination.rbd.namespace");
    }
    String secret = c.libvirtSecretUuid();
    String user = secret == null || secret.isBlank() ? null : c.clientId();
    return DestinationDisk.rbd(new DestinationDisk.Rbd(monitors(c.cephConf()), img.getPool(),
        img.getImage(), user, secret));
  }

  private DestinationDisk file(FileImage f) {
    Path p = roots.resolve(f, "destination.file");
    String fmt = switch (f.getFormat()) {
      case QCOW2 -> "qcow2";
      case VMDK -> "vmdk";
      case VHD -> "vpc";
      case VHDX -> "vhdx";
      default -> "raw";
    };
    return DestinationDisk.file(p.toString(), fmt);
  }

  /** The monitors of {@code mon_host} in a ceph.conf, in the host:port form QEMU's rbd takes. */
  static List<DestinationDisk.Monitor> monitors(Path cephConf) {
    String text;
    try {
      text = Files.readString(cephConf);
    } catch (IOException e) {
      throw new FerryException(Reason.UNAVAILABLE, "cannot read " + cephConf + ": " + e);
    }
    Matcher m = MON_HOST.matcher(text);
    if (!m.find()) {
      throw FerryException.precondition(cephConf + " has no mon_host: the live mirror needs the"
          + " monitors' addresses");
    }
    return monitors(m.group(1));
  }

  /** Parses mon_host: "[v2:h:p,v1:h:p] ...", "h:p,h2", preferring msgr v1 addresses. */
  static List<DestinationDisk.Monitor> monitors(String monHost) {
    List<DestinationDisk.Monitor> out = new ArrayList<>();
    Matcher groups = Pattern.compile("\\[([^\\]]*)\\]|([^\\s,;\\[\\]]+)").matcher(monHost);
    while (groups.find()) {
      String chosen = null;
      if (groups.group(1) != null) { // one monitor's addresses: take its v1 one
        for (String a : groups.group(1).split(",")) {
          if (a.trim().startsWith("v1:")) {
            chosen = a.trim().substring(3);
          }
        }
      } else if (!groups.group(2).startsWith("v2:")) {
        chosen = groups.group(2).startsWith("v1:") ? groups.group(2).substring(3) : groups.group(2);
      }
      if (chosen != null) {
        String addr = chosen.contains("/") ? chosen.substring(0, chosen.indexOf('/')) : chosen;
        out.addAll(DestinationDisk.monitors(addr));
      }
    }
    if (out.isEmpty()) {
      throw FerryException.precondition("mon_host '" + monHost + "' names no msgr v1 address"
          + " QEMU could use");
    }
    return out;
  }
}
