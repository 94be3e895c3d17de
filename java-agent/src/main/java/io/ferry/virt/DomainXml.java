package io.ferry.virt;

import io.ferry.error.FerryException;
import io.ferry.error.Reason;
import java.io.StringReader;
import java.util.Optional;
import javax.xml.parsers.DocumentBuilderFactory;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;
import org.xml.sax.InputSource;

/** Reads the parts of a libvirt domain definition the live mirror needs. */
public final class DomainXml {

  private final Document doc;

  private DomainXml(Document doc) {
    this.doc = doc;
  }

  public static DomainXml parse(String xml) {
    try {
      DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
      // libvirt output is trusted, but never resolve external entities anyway.
      f.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
      f.setExpandEntityReferences(false);
      return new DomainXml(f.newDocumentBuilder().parse(new InputSource(new StringReader(xml))));
    } catch (Exception e) {
      throw new FerryException(Reason.INTERNAL, "cannot parse libvirt domain XML: " + e, e);
    }
  }

  Optional<Element> firstDisk() {
    NodeList disks = disks();
    return disks.getLength() == 0 ? Optional.empty() : Optional.of((Element) disks.item(0));
  }

  /** Every {@code <disk>} element. */
  NodeList disks() {
    return doc.getElementsByTagName("disk");
  }

  /** The {@code <disk>} whose {@code <target dev>} is {@code target}. */
  public Optional<Element> disk(String target) {
    NodeList disks = doc.getElementsByTagName("disk");
    for (int i = 0; i < disks.getLength(); i++) {
      Element disk = (Element) disks.item(i);
      Element t = child(disk, "target");
      if (t != null && target.equals(t.getAttribute("dev"))) {
        return Optional.of(disk);
      }
    }
    return Optional.empty();
  }

  /** The disk's source, or a NOT_FOUND error naming the target. */
  public DiskSource source(String target) {
    Element disk = disk(target).orElseThrow(() -> FerryException.notFound(
        "disk " + target + " is not in the domain definition (check the target name, e.g. vdb)"));
    return sourceOf(disk);
  }

  /** True when the disk has a {@code <mirror ready='yes'>}: the block copy is in sync. */
  public boolean mirrorReady(String target) {
    return disk(target).map(d -> child(d, "mirror"))
        .map(m -> "yes".equals(m.getAttribute("ready")))
        .orElse(false);
  }

  /** The destination of a block copy running on the disk, if any. */
  public Optional<DiskSource> mirrorSource(String target) {
    return disk(target).map(d -> child(d, "mirror")).map(DomainXml::sourceOf);
  }

  static DiskSource sourceOf(Element disk) {
    Element src = child(disk, "source");
    if (src == null) {
      return new DiskSource(DiskSource.Kind.OTHER, "");
    }
    String type = disk.getAttribute("type");
    if ("network".equals(type) && "rbd".equals(src.getAttribute("protocol"))) {
      return DiskSource.rbd(src.getAttribute("name"));
    }
    if (src.hasAttribute("file")) {
      return DiskSource.file(src.getAttribute("file"));
    }
    if (src.hasAttribute("dev")) {
      return DiskSource.file(src.getAttribute("dev"));
    }
    return new DiskSource(DiskSource.Kind.OTHER, src.getAttribute("name"));
  }

  private static Element child(Element parent, String name) {
    NodeList children = parent.getChildNodes();
    for (int i = 0; i < children.getLength(); i++) {
      if (children.item(i) instanceof Element e && name.equals(e.getTagName())) {
        return e;
      }
    }
    return null;
  }
}
