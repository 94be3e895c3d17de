package io.ferry.device.rbd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ferry.device.Extent;
import io.ferry.error.FerryException;
import io.ferry.error.Reason;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The binding's pure-Java parts: errno mapping, features, layouts, diff merging, loading. */
class RbdBindingTest {

  @Test
  void errnosMapToReasonsInOnePlace() {
    assertThat(RbdException.reasonFor(2)).isEqualTo(Reason.NOT_FOUND);
    assertThat(RbdException.reasonFor(17)).isEqualTo(Reason.ALREADY_EXISTS);
    assertThat(RbdException.reasonFor(13)).isEqualTo(Reason.PERMISSION_DENIED);
    assertThat(RbdException.reasonFor(1)).isEqualTo(Reason.PERMISSION_DENIED);
    assertThat(RbdException.reasonFor(110)).isEqualTo(Reason.UNAVAILABLE);
    assertThat(RbdException.reasonFor(107)).isEqualTo(Reason.UNAVAILABLE);
    assertThat(RbdException.reasonFor(28)).isEqualTo(Reason.RESOURCE_EXHAUSTED);
    assertThat(RbdException.reasonFor(122)).isEqualTo(Reason.RESOURCE_EXHAUSTED);
    assertThat(RbdException.reasonFor(5)).isEqualTo(Reason.INTERNAL);
  }

  @Test
  void negativeReturnCodesThrowNamingCallTargetAndErrno() {
    assertThat(RbdException.check("rbd_read2", "c1/a/img", 4096L)).isEqualTo(4096L);
    assertThatThrownBy(() -> RbdException.check("rbd_open", "c1/a/img", -2))
        .isInstanceOfSatisfying(RbdException.class, e -> {
          assertThat(e.call()).isEqualTo("rbd_open");
          assertThat(e.errno()).isEqualTo(2);
          assertThat(e.reason()).isEqualTo(Reason.NOT_FOUND);
          assertThat(e.getMessage()).isEqualTo("rbd_open(c1/a/img) failed: ENOENT (no such image, pool or snapshot)");
        });
    assertThatThrownBy(() -> RbdException.check("rados_connect", "cluster c2", -110))
        .hasMessageContaining("ETIMEDOUT").hasMessageContaining("mon_host");
  }

  @Test
  void fullPoolErrorsNameThePoolAndSayWhatToDo() {
    assertThatThrownBy(() -> RbdException.check("rbd_write2", "c1/volumes-b/img.ferry-part", -122))
        .isInstanceOfSatisfying(RbdException.class, e -> {
          assertThat(e.reason()).isEqualTo(Reason.RESOURCE_EXHAUSTED);
          assertThat(e.getMessage()).contains("EDQUOT").contains("pool volumes-b is over its quota")
              .contains("ceph osd pool set-quota volumes-b max_bytes").contains("free space");
        });
    assertThatThrownBy(() -> RbdException.check("rbd_create4", "c1/b/img", -28))
        .hasMessageContaining("ENOSPC").hasMessageContaining("pool b (or its cluster) is full");
  }

  @Test
  void featureNamesAreTheCliNames() {
    assertThat(RbdFeature.mask(List.of("layering", "exclusive-lock", "object_map", "FAST-DIFF")))
        .isEqualTo(1 | 4 | 8 | 16);
    assertThat(RbdFeature.names(61)).containsExactly("layering", "exclusive-lock", "object-map", "fast-diff", "deep-flatten");
    assertThatThrownBy(() -> RbdFeature.mask(List.of("turbo")))
        .isInstanceOfSatisfying(FerryException.class, e -> assertThat(e.reason()).isEqualTo(Reason.INVALID_ARGUMENT))
        .hasMessageContaining("turbo");
    assertThatThrownBy(() -> RbdFeature.mask(List.of("data-pool"))).hasMessageContaining("set by Ceph");
  }

  @Test
  void layoutIsValidated() {
    assertThat(new RbdCreateOptions(null, 1 << 20, 0, 0, null).order()).isEqualTo(20);
    assertThat(RbdCreateOptions.DEFAULT.order()).isZero();
    assertThatThrownBy(() -> new RbdCreateOptions(null, 3 << 20, 0, 0, null)).hasMessageContaining("power of two");
    assertThatThrownBy(() -> new RbdCreateOptions(null, 1 << 11, 0, 0, null)).hasMessageContaining("4 KiB");
    assertThatThrownBy(() -> new RbdCreateOptions(null, 0, 65536, 0, null)).hasMessageContaining("stripe");
  }

  @Test
  void diffExtentsAreClippedSortedAndMerged() {
    RbdDiff d = new RbdDiff(100, 1000);
    d.add(500, 100);
    d.add(0, 150);      // clipped to [100,150)
    d.add(150, 50);     // touches: merged
    d.add(590, 20);     // overlaps
    d.add(990, 100);    // clipped to [990,1000)
    d.add(2000, 10);    // outside
    assertThat(d.extents()).containsExactly(new Extent(100, 100), new Extent(500, 110), new Extent(990, 10));
  }

  @Test
  void aMissingLibraryIsUnavailableWithWhatToInstall() {
    Object loaded = RbdNative.load("ferry-no-such-lib", "libferry-no-such-lib.so.9", LibRbd.class, "librbd1");
    assertThat(loaded).isInstanceOfSatisfying(FerryException.class, e -> {
      assertThat(e.reason()).isEqualTo(Reason.UNAVAILABLE);
      assertThat(e.getMessage()).isEqualTo("libferry-no-such-lib not found: install librbd1 (Debian package) on this host");
    });
  }

  @Test
  void clusterSpecDefaults() {
    RbdClusterSpec s = RbdClusterSpec.of("c1", java.nio.file.Path.of("/etc/ceph/ceph.conf"));
    assertThat(s.clientName()).isEqualTo("client.admin");
    assertThat(s.connectTimeout()).isEqualTo(RbdClusterSpec.DEFAULT_CONNECT_TIMEOUT);
    assertThat(new RbdClusterSpec("c", s.confPath(), "client.cinder", null, null).clientName()).isEqualTo("client.cinder");
    assertThatThrownBy(() -> RbdClusterSpec.of(" ", s.confPath())).hasMessageContaining("cluster.id");
  }
}
