package io.ferry.endpoint;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ferry.device.rbd.RbdClusterSpec;
import io.ferry.device.rbd.RbdClusters;
import io.ferry.device.rbd.RbdCreateOptions;
import io.ferry.error.FerryException;
import io.ferry.error.Reason;
import io.ferry.proto.v1.CopyOptions;
import io.ferry.proto.v1.Endpoint;
import io.ferry.proto.v1.RbdImage;
import io.ferry.proto.v1.RbdLayout;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The RBD backend's checks that need no cluster: names, fields, layouts, unknown clusters. */
class RbdBackendTest {

  private final RbdBackend backend = new RbdBackend(new RbdClusters(
      Map.of("c1", RbdClusterSpec.of("c1", Path.of("/nonexistent/ceph.conf")))));

  static Endpoint rbd(String cluster, String pool, String image, String snap) {
    return Endpoint.newBuilder().setRbd(RbdImage.newBuilder().setClusterId(cluster).setPool(pool)
        .setImage(image).setSnapshot(snap)).build();
  }

  static void expect(Runnable call, Reason reason, String text) {
    assertThatThrownBy(call::run).isInstanceOfSatisfying(FerryException.class, e -> {
      assertThat(e.reason()).as(e.getMessage()).isEqualTo(reason);
      assertThat(e.getMessage()).contains(text);
    });
  }

  @Test
  void keysAndDescriptionsNameClusterPoolImageAndSnapshot() {
    Endpoint e = Endpoint.newBuilder().setRbd(RbdImage.newBuilder().setClusterId("c1").setPool("a")
        .setNamespace("ns").setImage("vol").setSnapshot("s")).build();
    assertThat(backend.key(e, "source")).isEqualTo("rbd:c1/a/ns/vol@s");
    assertThat(backend.describe(rbd("c1", "a", "vol", ""))).isEqualTo("rbd c1/a/vol");
  }

  @Test
  void badNamesAreInvalidArgumentsNamingTheField() {
    CopyOptions create = CopyOptions.newBuilder().setCreateDestination(true).build();
    expect(() -> backend.open(rbd("", "a", "v", ""), "source", true), Reason.INVALID_ARGUMENT, "source.rbd.cluster_id");
    expect(() -> backend.open(rbd("c1", "", "v", ""), "source", true), Reason.INVALID_ARGUMENT, "source.rbd.pool");
    expect(() -> backend.open(rbd("c1", "a", "", ""), "source", true), Reason.INVALID_ARGUMENT, "source.rbd.image");
    expect(() -> backend.open(rbd("c1", "a", "x/y", ""), "source", true), Reason.INVALID_ARGUMENT, "'/'");
    expect(() -> backend.create(rbd("c1", "a", "v", "snap"), "destination", 1, create),
        Reason.INVALID_ARGUMENT, "destination.rbd.snapshot");
    expect(() -> backend.create(rbd("c1", "a", "v.ferry-part", ""), "destination", 1, create),
        Reason.INVALID_ARGUMENT, "unfinished");
  }

  @Test
  void unknownClusterIsNotFoundAndListsTheKnownOnes() {
    expect(() -> backend.open(rbd("c7", "a", "v", ""), "source", true), Reason.NOT_FOUND,
        "source.rbd.cluster_id: cluster 'c7' is not in the agent's config (known: c1)");
  }

  @Test
  void missingCephConfIsNotFound() {
    expect(() -> backend.open(rbd("c1", "a", "v", ""), "source", true), Reason.NOT_FOUND, "ceph.conf");
  }

  @Test
  void layoutComesFromTheRequest() {
    RbdCreateOptions o = RbdBackend.layout(RbdLayout.newBuilder().setObjectSize(1 << 20)
        .setStripeUnit(65536).setStripeCount(8).setDataPool("ec").addAllFeatures(List.of("layering",
            "exclusive-lock")).build(), "destination");
    assertThat(o).isEqualTo(new RbdCreateOptions(5L, 1 << 20, 65536, 8, "ec"));
    assertThat(RbdBackend.layout(RbdLayout.getDefaultInstance(), "destination")).isEqualTo(RbdCreateOptions.DEFAULT);
    expect(() -> RbdBackend.layout(RbdLayout.newBuilder().setObjectSize(12345).build(), "destination"),
        Reason.INVALID_ARGUMENT, "copy_options.destination_layout.layout.object_size");
  }
}
