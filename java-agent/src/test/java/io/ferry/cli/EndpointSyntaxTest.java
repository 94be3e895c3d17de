package io.ferry.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ferry.proto.v1.DiskFormat;
import io.ferry.proto.v1.Endpoint;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class EndpointSyntaxTest {

  @Test
  void fileWithoutRoot() {
    Endpoint e = EndpointSyntax.parse("file:vols/a.raw");
    assertThat(e.getFile().getRoot()).isEmpty();
    assertThat(e.getFile().getPath()).isEqualTo("vols/a.raw");
    assertThat(e.getFile().getFormat()).isEqualTo(DiskFormat.DISK_FORMAT_UNSPECIFIED);
  }

  @Test
  void fileWithRootAndFormat() {
    Endpoint e = EndpointSyntax.parse("file:import:disk.qcow2?format=qcow2");
    assertThat(e.getFile().getRoot()).isEqualTo("import");
    assertThat(e.getFile().getPath()).isEqualTo("disk.qcow2");
    assertThat(e.getFile().getFormat()).isEqualTo(DiskFormat.QCOW2);
    assertThat(EndpointSyntax.parse("file:x.vhd?format=vpc").getFile().getFormat())
        .isEqualTo(DiskFormat.VHD);
  }

  @Test
  void rbdWithAndWithoutNamespaceAndSnapshot() {
    var r = EndpointSyntax.parse("rbd:ceph-a/volumes/volume-1").getRbd();
    assertThat(r.getClusterId()).isEqualTo("ceph-a");
    assertThat(r.getPool()).isEqualTo("volumes");
    assertThat(r.getNamespace()).isEmpty();
    assertThat(r.getImage()).isEqualTo("volume-1");
    var s = EndpointSyntax.parse("rbd:b/ssd/tenant1/volume-2@snap-1").getRbd();
    assertThat(s.getNamespace()).isEqualTo("tenant1");
    assertThat(s.getImage()).isEqualTo("volume-2");
    assertThat(s.getSnapshot()).isEqualTo("snap-1");
  }

  @ParameterizedTest
  @ValueSource(strings = {"file:import:disk.qcow2?format=qcow2", "file:a/b", "rbd:c/p/i",
      "rbd:c/p/ns/i@s", "file:x.vhdx?format=vhdx"})
  void formatIsTheInverseOfParse(String text) {
    assertThat(EndpointSyntax.format(EndpointSyntax.parse(text))).isEqualTo(text);
  }

  @ParameterizedTest
  @ValueSource(strings = {"/tmp/x", "nbd:x", "file:", "file:r:", "file:x?fmt=raw",
      "file:x?format=iso", "rbd:c/p", "rbd:c/p/n/i/j", "rbd:c//i", "rbd:c/p/i@", "rbd:c/p/i@a@b"})
  void refusesMalformedWithTheSyntax(String text) {
    assertThatThrownBy(() -> EndpointSyntax.parse(text))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("endpoint '" + text + "'")
        .hasMessageContaining("rbd:CLUSTER/POOL[/NAMESPACE]/IMAGE[@SNAP]");
  }
}
