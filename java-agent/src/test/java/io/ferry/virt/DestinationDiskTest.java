package io.ferry.virt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ferry.error.FerryException;
import io.ferry.virt.DestinationDisk.Monitor;
import io.ferry.virt.DestinationDisk.Rbd;
import java.util.List;
import org.junit.jupiter.api.Test;

class DestinationDiskTest {

  @Test
  void fileDestinationNamesFormatAndPath() {
    DestinationDisk d = DestinationDisk.file("/tmp/x/new.qcow2", "QCOW2");
    assertThat(d.xml()).contains("type='qcow2'").contains("file='/tmp/x/new.qcow2'");
    assertThat(d.source()).isEqualTo(DiskSource.file("/tmp/x/new.qcow2"));
    assertThat(DomainXml.sourceOf(parseDisk(d.xml()))).isEqualTo(d.source());
  }

  @Test
  void rbdDestinationCarriesMonitorsAndOptionalSecret() {
    DestinationDisk d = DestinationDisk.rbd(new Rbd(
        DestinationDisk.monitors("127.0.0.1:40001,10.0.0.2"), "b", "vol-1", "cinder",
        "8e4c1c3a-0000-4000-8000-000000000001"));
    assertThat(d.xml()).contains("protocol='rbd' name='b/vol-1'")
        .contains("<host name='127.0.0.1' port='40001'/>")
        .contains("<host name='10.0.0.2' port='6789'/>")
        .contains("<auth username='cinder'><secret type='ceph' uuid='8e4c1c3a-0000-4000-8000-000000000001'/></auth>");
    assertThat(d.source()).isEqualTo(DiskSource.rbd("b/vol-1"));
    assertThat(DomainXml.sourceOf(parseDisk(d.xml()))).isEqualTo(d.source());
  }

  @Test
  void rbdWithoutCephxHasNoAuthElement() {
    DestinationDisk d = DestinationDisk.rbd(
        new Rbd(List.of(new Monitor("127.0.0.1", 3300)), "b", "v", null, null));
    assertThat(d.xml()).doesNotContain("auth");
  }

  @Test
  void refusesRelativePathsUnknownFormatsAndMissingPools() {
    assertThatThrownBy(() -> DestinationDisk.file("x.raw", "raw"))
        .isInstanceOf(FerryException.class).hasMessageContaining("absolute");
    assertThatThrownBy(() -> DestinationDisk.file("/x", "iso"))
        .isInstanceOf(FerryException.class).hasMessageContaining("format");
    assertThatThrownBy(() -> DestinationDisk.rbd(
        new Rbd(List.of(new Monitor("h", 1)), "", "v", null, null)))
        .isInstanceOf(FerryException.class).hasMessageContaining("pool");
  }

  @Test
  void rbdNamespacesAreRefusedWithTheReason() {
    assertThatThrownBy(() -> DestinationDisk.rbd(new Rbd(List.of(new Monitor("127.0.0.1", 3300)),
        "b", "ns1/v", null, null)))
        .isInstanceOf(FerryException.class).hasMessageContaining("RBD namespace")
        .hasMessageContaining("libvirt 9.0").hasMessageContaining("StartCopy");
    assertThatThrownBy(() -> DestinationDisk.fromXml("<disk type='network' device='disk'>"
        + "<driver name='qemu' type='raw'/><source protocol='rbd' name='b/ns1/v'>"
        + "<host name='127.0.0.1' port='3300'/></source></disk>"))
        .isInstanceOf(FerryException.class).hasMessageContaining("destination_xml")
        .hasMessageContaining("RBD namespace")
        .extracting(e -> ((FerryException) e).reason())
        .isEqualTo(io.ferry.error.Reason.UNIMPLEMENTED);
    assertThat(DestinationDisk.fromXml("<disk type='network' device='disk'><source "
        + "protocol='rbd' name='b/v'/></disk>").source()).isEqualTo(DiskSource.rbd("b/v"));
  }

  @Test
  void escapesQuotesInAttributes() {
    assertThat(DestinationDisk.file("/tmp/a'b", "raw").xml()).contains("/tmp/a&apos;b");
  }

  private static org.w3c.dom.Element parseDisk(String xml) {
    return DomainXml.parse("<domain><devices>" + xml.replace("<source", "<target dev='vdb'/><source")
        + "</devices></domain>").disk("vdb").orElseThrow();
  }
}
