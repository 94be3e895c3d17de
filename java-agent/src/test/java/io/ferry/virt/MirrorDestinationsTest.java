package io.ferry.virt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ferry.config.ClusterConfig;
import io.ferry.endpoint.FileRoots;
import io.ferry.error.FerryException;
import io.ferry.error.Reason;
import io.ferry.proto.v1.DiskFormat;
import io.ferry.proto.v1.Endpoint;
import io.ferry.proto.v1.FileImage;
import io.ferry.proto.v1.RbdImage;
import io.ferry.virt.DestinationDisk.Monitor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MirrorDestinationsTest {

  @TempDir Path tmp;

  @Test
  void monitorsPreferMsgrV1Addresses() {
    assertThat(MirrorDestinations.monitors("[v2:127.0.0.1:40914,v1:127.0.0.1:40915]"))
        .containsExactly(new Monitor("127.0.0.1", 40915));
    assertThat(MirrorDestinations.monitors(
        "[v2:10.0.0.1:3300/0,v1:10.0.0.1:6789/0] [v2:10.0.0.2:3300,v1:10.0.0.2:6789]"))
        .containsExactly(new Monitor("10.0.0.1", 6789), new Monitor("10.0.0.2", 6789));
    assertThat(MirrorDestinations.monitors("10.0.0.1:6789,10.0.0.2"))
        .containsExactly(new Monitor("10.0.0.1", 6789), new Monitor("10.0.0.2", 6789));
  }

  @Test
  void rbdDestinationsComeFromTheClusterConfig() throws Exception {
    Path conf = Files.writeString(tmp.resolve("ceph.conf"),
        "[global]\nfsid = x\nmon_host = [v2:127.0.0.1:40914,v1:127.0.0.1:40915]\n");
    MirrorDestinations d = new MirrorDestinations(Map.of(
        "lab", new ClusterConfig(conf, null, null, null),
        "prod", new ClusterConfig(conf, "cinder", null, "11111111-2222-4333-8444-555555555555")),
        new FileRoots(Map.of("default", tmp)));
    DestinationDisk lab = d.resolve(rbd("lab", "b", "v1"), "");
    assertThat(lab.source()).isEqualTo(DiskSource.rbd("b/v1"));
    assertThat(lab.xml()).contains("port='40915'").doesNotContain("auth");
    assertThat(d.resolve(rbd("prod", "b", "v1"), "").xml())
        .contains("<auth username='cinder'><secret type='ceph' uuid='11111111-");
    assertThatThrownBy(() -> d.resolve(rbd("nope", "b", "v"), ""))
        .isInstanceOf(FerryException.class).hasMessageContaining("nope")
        .extracting(e -> ((FerryException) e).reason()).isEqualTo(Reason.NOT_FOUND);
    Endpoint inNamespace = rbd("lab", "b", "v1").toBuilder()
        .setRbd(rbd("lab", "b", "v1").getRbd().toBuilder().setNamespace("ns1")).build();
    assertThatThrownBy(() -> d.resolve(inNamespace, ""))
        .isInstanceOf(FerryException.class).hasMessageContaining("destination.rbd.namespace")
        .hasMessageContaining("libvirt 9.0")
        .extracting(e -> ((FerryException) e).reason()).isEqualTo(Reason.UNIMPLEMENTED);
  }

  @Test
  void fileDestinationsResolveUnderTheirRootAndCallerXmlIsTakenAsIs() {
    MirrorDestinations d = new MirrorDestinations(Map.of(), new FileRoots(Map.of("default", tmp)));
    Endpoint f = Endpoint.newBuilder().setFile(FileImage.newBuilder().setPath("new.qcow2")
        .setFormat(DiskFormat.QCOW2)).build();
    assertThat(d.resolve(f, "").source())
        .isEqualTo(DiskSource.file(tmp.resolve("new.qcow2").toString()));
    String xml = "<disk type='network'><source protocol='rbd' name='b/x'/></disk>";
    assertThat(d.resolve(Endpoint.getDefaultInstance(), xml)).isEqualTo(
        new DestinationDisk(xml, DiskSource.rbd("b/x")));
    assertThatThrownBy(() -> d.resolve(Endpoint.getDefaultInstance(), "<disk><source"))
        .isInstanceOf(FerryException.class)
        .extracting(e -> ((FerryException) e).reason()).isEqualTo(Reason.INVALID_ARGUMENT);
  }

  private static Endpoint rbd(String cluster, String pool, String image) {
    return Endpoint.newBuilder().setRbd(RbdImage.newBuilder().setClusterId(cluster)
        .setPool(pool).setImage(image)).build();
  }
}
