package io.ferry.virt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ferry.error.FerryException;
import io.ferry.error.Reason;
import org.junit.jupiter.api.Test;

class DomainXmlTest {

  static final String MIRRORING = """
      <domain type='qemu'><name>vm</name><devices>
        <disk type='file' device='disk'>
          <driver name='qemu' type='qcow2'/>
          <source file='/tmp/a.qcow2' index='1'/>
          <mirror type='network' job='copy' ready='yes'>
            <format type='raw'/>
            <source protocol='rbd' name='b/vol1' index='2'><host name='127.0.0.1' port='6789'/></source>
          </mirror>
          <target dev='vdb' bus='virtio'/>
        </disk>
        <disk type='network' device='disk'>
          <source protocol='rbd' name='a/vol2'/>
          <target dev='vdc' bus='virtio'/>
        </disk>
      </devices></domain>
      """;

  @Test
  void readsSourcesOfFileAndRbdDisks() {
    DomainXml x = DomainXml.parse(MIRRORING);
    assertThat(x.source("vdb")).isEqualTo(DiskSource.file("/tmp/a.qcow2"));
    assertThat(x.source("vdc")).isEqualTo(DiskSource.rbd("a/vol2"));
  }

  @Test
  void readsTheMirrorAndItsReadiness() {
    DomainXml x = DomainXml.parse(MIRRORING);
    assertThat(x.mirrorReady("vdb")).isTrue();
    assertThat(x.mirrorSource("vdb")).contains(DiskSource.rbd("b/vol1"));
    assertThat(x.mirrorReady("vdc")).isFalse();
    assertThat(x.mirrorSource("vdc")).isEmpty();
    assertThat(DomainXml.parse(MIRRORING.replace("ready='yes'", "")).mirrorReady("vdb")).isFalse();
  }

  @Test
  void anUnknownDiskIsNotFoundAndNamed() {
    assertThatThrownBy(() -> DomainXml.parse(MIRRORING).source("vdz"))
        .isInstanceOf(FerryException.class)
        .hasMessageContaining("vdz")
        .extracting(e -> ((FerryException) e).reason()).isEqualTo(Reason.NOT_FOUND);
  }

  @Test
  void refusesDoctypes() {
    assertThatThrownBy(() -> DomainXml.parse("<!DOCTYPE x [<!ENTITY e SYSTEM 'file:///etc/passwd'>]><domain>&e;</domain>"))
        .isInstanceOf(FerryException.class);
  }
}
