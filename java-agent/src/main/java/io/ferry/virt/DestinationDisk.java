package io.ferry.virt;

import io.ferry.error.FerryException;
import java.util.List;
import java.util.Locale;

/**
 * A block copy's destination: the {@code <disk>} XML libvirt's blockCopy takes, and the source
 * it names (to check the definitions after a pivot). The destination must already exist: Ferry
 * always copies with REUSE_EXT.
 */
public record DestinationDisk(String xml, DiskSource source) {

  /** A Ceph monitor address. */
  public record Monitor(String host, int port) {}

  /** An RBD image; {@code secretUuid} and {@code user} are null for a cluster without cephx. */
  public record Rbd(List<Monitor> monitors, String pool, String image, String user,
      String secretUuid) {}

  /** A file in a QEMU format ("raw", "qcow2", ...), by absolute path. */
  public static DestinationDisk file(String path, String format) {
    if (path == null || !path.startsWith("/")) {
      throw FerryException.invalid("destination.path", "must be an absolute path, got " + path);
    }
    String fmt = format == null || format.isBlank() ? "raw" : format.toLowerCase(Locale.ROOT);
    if (!fmt.matches("raw|qcow2|vmdk|vpc|vhdx")) {
      throw FerryException.invalid("destination.format", "unsupported format " + format);
    }
    String xml = "<disk type='file' device='disk'><driver name='qemu' type='" + fmt + "'/>"
        + "<source file='" + attr(path) + "'/></disk>";
    return new DestinationDisk(xml, DiskSource.file(path));
  }

  /** An RBD image reached through the cluster's monitors (raw, as RBD images always are). */
  public static DestinationDisk rbd(Rbd r) {
    if (r.monitors() == null || r.monitors().isEmpty()) {
      throw FerryException.invalid("destination.monitors", "at least one monitor is needed");
    }
    if (r.pool() == null || r.pool().isBlank() || r.image() == null || r.image().isBlank()) {
      throw FerryException.invalid("destination.rbd", "pool and image are required");
    }
    if (r.pool().contains("/") || r.image().contains("/")) {
      throw namespaceRefused("destination.rbd");
    }
    String name = r.pool() + "/" + r.image();
    StringBuilder xml = new StringBuilder("<disk type='network' device='disk'>")
        .append("<driver name='qemu' type='raw' cache='writeback' discard='unmap'/>");
    if (r.user() != null && !r.user().isBlank()) {
      xml.append("<auth username='").append(attr(r.user())).append("'>");
      if (r.secretUuid() != null && !r.secretUuid().isBlank()) {
        xml.append("<secret type='ceph' uuid='").append(attr(r.secretUuid())).append("'/>");
      }
      xml.append("</auth>");
    }
    xml.append("<source protocol='rbd' name='").append(attr(name)).append("'>");
    for (Monitor m : r.monitors()) {
      xml.append("<host name='").append(attr(m.host())).append("' port='").append(m.port())
          .append("'/>");
    }
    xml.append("</source></disk>");
    return new DestinationDisk(xml.toString(), DiskSource.rbd(name));
  }

  /** A {@code <disk>} element the caller prepared; its source names the destination. */
  public static DestinationDisk fromXml(String diskXml) {
    if (!diskXml.trim().startsWith("<disk")) {
      throw FerryException.invalid("destination_xml", "must be one libvirt <disk> element");
    }
    DomainXml parsed;
    try {
      parsed = DomainXml.parse("<domain><devices>" + diskXml + "</devices></domain>");
    } catch (FerryException e) {
      throw FerryException.invalid("destination_xml", "is not well-formed XML: " + e.getMessage());
    }
    org.w3c.dom.Element disk = parsed.firstDisk().orElseThrow(() ->
        FerryException.invalid("destination_xml", "has no <disk> element"));
    DiskSource src = DomainXml.sourceOf(disk);
    if (src.kind() == DiskSource.Kind.OTHER) {
      throw FerryException.invalid("destination_xml", "needs a file or rbd <source>");
    }
    if (src.kind() == DiskSource.Kind.RBD && src.location().indexOf('/')
        != src.location().lastIndexOf('/')) {
      throw namespaceRefused("destination_xml: <source protocol='rbd' name='"
          + src.location() + "'>");
    }
    return new DestinationDisk(diskXml, src);
  }

  /**
   * Why a live mirror cannot reach an RBD namespace here. QEMU 7.2's rbd driver has a {@code
   * namespace} option, but libvirt 9.0 cannot set it: a {@code <source protocol='rbd'
   * name='pool/ns/image'>} reaches QEMU as pool "pool", image "ns/image", and blockdev-add fails
   * with "error reading header from ns/image" (tried on the lab, Ceph 16.2.15); no Ceph config
   * option selects a namespace either. Libvirt's names are "pool/image" only, so a live
   * mirror's RBD destination (and the check after the pivot) is matched by pool and image.
   */
  static FerryException namespaceRefused(String field) {
    return new FerryException(io.ferry.error.Reason.UNIMPLEMENTED, field + ": a live mirror "
        + "cannot write into an RBD namespace on this host: libvirt 9.0 has no way to name one "
        + "in a disk's <source> (it would hand QEMU 'namespace/image' as the image name); "
        + "mirror into the pool's default namespace, or move the volume detached with StartCopy, "
        + "which supports namespaces");
  }

  /** Parses "host:port,host:port" (Ceph's mon_host without v1/v2 brackets). */
  public static List<Monitor> monitors(String monHost) {
    return java.util.Arrays.stream(monHost.split("[,\\s]+")).filter(s -> !s.isBlank())
        .map(s -> {
          int colon = s.lastIndexOf(':');
          return colon < 0 ? new Monitor(s, 6789)
              : new Monitor(s.substring(0, colon), Integer.parseInt(s.substring(colon + 1)));
        }).toList();
  }

  private static String attr(String s) {
    return s.replace("&", "&amp;").replace("'", "&apos;").replace("<", "&lt;");
  }
}
