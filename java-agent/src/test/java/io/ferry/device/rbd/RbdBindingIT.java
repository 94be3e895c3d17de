package io.ferry.device.rbd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ferry.device.Extent;
import io.ferry.error.FerryException;
import io.ferry.error.Reason;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.ArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The librbd binding against a real lab cluster, checked with the {@code rbd} CLI. */
@ExtendWith(CephLabExtension.class)
class RbdBindingIT {

  private static final long MIB = 1L << 20;
  private static CephLab lab;
  private static RadosCluster cluster;
  private static RbdPool pool;

  @BeforeAll
  static void connect(CephLab c1) {
    lab = c1;
    cluster = RadosCluster.connect(lab.spec());
    pool = cluster.pool("a", "");
  }

  @AfterAll
  static void disconnect() {
    if (pool != null) {
      pool.close();
      cluster.close();
    }
  }

  @AfterEach
  void nothingLeftBehind() {
    List<String> left = lab.images("a").stream().filter(n -> n.startsWith("bind-")).toList();
    for (String name : left) { // clean up for the next test, then fail this one
      lab.sh("rbd snap unprotect a/" + name + "@s2 2>/dev/null; rbd snap purge a/" + name + "; rbd rm a/" + name);
    }
    assertThat(left).isEmpty();
  }

  @Test
  void unalignedImageRoundTripsThroughLibrbdAndTheCli() throws Exception {
    long size = 10 * MIB + 4097; // not a multiple of the 1 MiB object size
    pool.create("bind-rt", size, new RbdCreateOptions(
        RbdFeature.mask(List.of("layering", "exclusive-lock", "object-map", "fast-diff")), MIB, 0, 0, null));
    byte[] expected = new byte[(int) size];
    try (RbdImage img = pool.open("bind-rt", null)) {
      assertThat(img.size()).isEqualTo(size);
      assertThat(img.objectSize()).isEqualTo(MIB);
      assertThat(img.hasFeature(RbdFeature.FAST_DIFF)).isTrue();
      byte[] data = random((int) (3 * MIB + 333), 1);
      long off = MIB - 100; // crosses object boundaries, unaligned
      img.write(off, ByteBuffer.allocateDirect(data.length).put(data).flip());
      System.arraycopy(data, 0, expected, (int) off, data.length);
      byte[] tail = random(4097, 2);
      img.write(size - tail.length, ByteBuffer.wrap(tail)); // heap buffer path
      System.arraycopy(tail, 0, expected, (int) (size - tail.length), tail.length);
      img.flush();

      ByteBuffer back = ByteBuffer.allocateDirect((int) size);
      img.read(0, back);
      back.flip();
      byte[] got = new byte[(int) size];
      back.get(got);
      assertThat(got).isEqualTo(expected);
    }
    assertThat(lab.exportSha256("a/bind-rt")).isEqualTo(sha256(expected));
    assertThat(lab.rbd("info", "a/bind-rt")).contains("order 20").contains("fast-diff");
    pool.remove("bind-rt");
  }

  @Test
  void osdHashesEqualJavaXxh64AndSeeACorruptByte() {
    long size = 3 * MIB + 4096; // the last object is short
    pool.create("bind-hash", size, new RbdCreateOptions(RbdFeature.mask(List.of("layering")), MIB, 0, 0, null));
    try (RbdDevice dev = new RbdDevice(pool.open("bind-hash", null))) {
      byte[] data = random((int) MIB, 5);
      dev.write(MIB, ByteBuffer.allocateDirect(data.length).put(data).flip()); // object 1 only
      byte[] tail = random(4096, 6);
      dev.write(3 * MIB, ByteBuffer.allocateDirect(tail.length).put(tail).flip());
      assertThat(dev.canStoredXxHash64()).isTrue();
      assertThat(dev.storedXxHash64(MIB, MIB)).hasValue(xxh64(data, 0, data.length));
      assertThat(dev.storedXxHash64(MIB + 4096, 8192)).hasValue(xxh64(data, 4096, 8192));
      assertThat(dev.storedXxHash64(3 * MIB, 4096)).hasValue(xxh64(tail, 0, tail.length));
      assertThat(dev.storedXxHash64(0, MIB)).as("object 0 was never written").isEmpty();
      assertThat(dev.storedXxHash64(MIB + 1, MIB)).as("crosses into object 2").isEmpty();

      dev.write(MIB + 777, ByteBuffer.allocateDirect(1).put((byte) (data[777] ^ 1)).flip());
      assertThat(dev.storedXxHash64(MIB, MIB)).isPresent().isNotEqualTo(java.util.OptionalLong.of(xxh64(data, 0, data.length)));
    }
    try (RbdDevice snap = new RbdDevice(pool.openReadOnly("bind-hash", null))) {
      assertThat(snap.canStoredXxHash64()).isTrue();
    }
    pool.remove("bind-hash");
  }

  private static long xxh64(byte[] b, int off, int len) {
    io.ferry.device.Xxh64 h = new io.ferry.device.Xxh64();
    h.update(ByteBuffer.wrap(b, off, len));
    return h.value();
  }

  @Test
  void emptyImageHasNoExtentsAndExportsAsNothing() {
    pool.create("bind-empty", 0, RbdCreateOptions.DEFAULT);
    try (RbdImage img = pool.open("bind-empty", null); RbdDevice dev = new RbdDevice(pool.open("bind-empty", null))) {
      assertThat(img.size()).isZero();
      assertThat(dev.extents(0, 0)).isEmpty();
      dev.read(0, ByteBuffer.allocateDirect(0));
    }
    assertThat(lab.exportSha256("a/bind-empty")).isEqualTo(sha256(new byte[0]));
    pool.remove("bind-empty");
  }

  @Test
  void extentsSnapshotsDiffsZeroesAndResize() {
    pool.create("bind-snap", 64 * MIB, RbdCreateOptions.DEFAULT);
    try (RbdImage img = pool.open("bind-snap", null)) {
      RbdDevice dev = new RbdDevice(img);
      assertThat(dev.extents(0, 64 * MIB)).isEmpty();
      dev.write(8 * MIB, ByteBuffer.wrap(random((int) MIB, 3)));
      dev.write(40 * MIB + 5, ByteBuffer.wrap(random(100, 4)));
      List<Extent> allocated = dev.extents(0, 64 * MIB);
      // from no snapshot librbd reports each object from its start up to its last written byte
      assertThat(allocated).containsExactly(new Extent(8 * MIB, MIB), new Extent(40 * MIB, 105));

      img.createSnapshot("s1");
      img.write(20 * MIB + 7, ByteBuffer.wrap(random(4096, 5)));
      img.writeZeroes(8 * MIB, 4 * MIB, false);
      img.createSnapshot("s2");
      assertThat(img.snapshots()).extracting(RbdSnapshot::name).containsExactly("s1", "s2");
      img.protectSnapshot("s2");
      assertThat(img.isSnapshotProtected("s2")).isTrue();
      assertThatThrownBy(() -> img.removeSnapshot("s2"))
          .isInstanceOfSatisfying(RbdException.class, e -> assertThat(e.reason()).isEqualTo(Reason.FAILED_PRECONDITION));
      img.unprotectSnapshot("s2");

      try (RbdImage s2 = pool.openReadOnly("bind-snap", "s2")) {
        assertThat(s2.isReadOnly()).isTrue();
        // between snapshots diffs are byte-exact, zeroed regions included
        // (an object created after s1 is reported from its start to its last write)
        assertThat(s2.diff("s1", 0, 64 * MIB))
            .containsExactly(new Extent(8 * MIB, MIB), new Extent(20 * MIB, 4103));
        assertThatThrownBy(() -> s2.write(0, ByteBuffer.allocate(1)))
            .isInstanceOf(FerryException.class).hasMessageContaining("read-only");
      }
      assertThat(lab.sh("rbd diff --from-snap s1 a/bind-snap@s2")).contains("20971520");
      assertThat(dev.extents(0, 64 * MIB)).doesNotContain(new Extent(8 * MIB, 4 * MIB));

      img.resize(32 * MIB);
      assertThat(img.size()).isEqualTo(32 * MIB);
      img.removeSnapshot("s1");
      img.removeSnapshot("s2");
      assertThat(img.snapshots()).isEmpty();
    }
    assertThat(lab.rbd("info", "a/bind-snap")).contains("size 32 MiB");
    pool.rename("bind-snap", "bind-snap2");
    assertThat(pool.exists("bind-snap2")).isTrue();
    assertThat(pool.exists("bind-snap")).isFalse();
    pool.remove("bind-snap2");
  }

  @Test
  void parallelWritesAndReadsFromManyThreads() throws Exception {
    int chunk = (int) MIB;
    int chunks = 32;
    pool.create("bind-par", (long) chunks * chunk, RbdCreateOptions.DEFAULT);
    ExecutorService ex = Executors.newFixedThreadPool(8);
    try (RbdDevice dev = new RbdDevice(pool.open("bind-par", null))) {
      List<Future<?>> fs = new ArrayList<>();
      for (int i = 0; i < chunks; i++) {
        int n = i;
        fs.add(ex.submit(() -> {
          dev.write((long) n * chunk, ByteBuffer.allocateDirect(chunk).put(random(chunk, 100 + n)).flip());
          return null;
        }));
      }
      for (Future<?> f : fs) {
        f.get();
      }
      dev.flush();
      fs.clear();
      for (int i = 0; i < chunks; i++) {
        int n = i;
        fs.add(ex.submit(() -> {
          ByteBuffer b = ByteBuffer.allocateDirect(chunk);
          dev.read((long) n * chunk, b);
          byte[] got = new byte[chunk];
          b.flip().get(got);
          assertThat(got).isEqualTo(random(chunk, 100 + n));
          return null;
        }));
      }
      for (Future<?> f : fs) {
        f.get();
      }
    } finally {
      ex.shutdownNow();
    }
    pool.remove("bind-par");
  }

  @Test
  void errorsAreTypedAndNameTheCall() {
    assertThatThrownBy(() -> pool.open("bind-missing", null))
        .isInstanceOfSatisfying(RbdException.class, e -> {
          assertThat(e.reason()).isEqualTo(Reason.NOT_FOUND);
          assertThat(e.call()).isEqualTo("rbd_open");
          assertThat(e.getMessage()).contains("rbd-it").contains("a/bind-missing").contains("ENOENT");
        });
    assertThatThrownBy(() -> cluster.pool("no-such-pool", ""))
        .isInstanceOfSatisfying(RbdException.class, e -> assertThat(e.reason()).isEqualTo(Reason.NOT_FOUND));
    pool.create("bind-dup", MIB, RbdCreateOptions.DEFAULT);
    try {
      assertThatThrownBy(() -> pool.create("bind-dup", MIB, RbdCreateOptions.DEFAULT))
          .isInstanceOfSatisfying(RbdException.class, e -> assertThat(e.reason()).isEqualTo(Reason.ALREADY_EXISTS));
    } finally {
      pool.remove("bind-dup");
    }
    RbdImage img;
    pool.create("bind-closed", MIB, RbdCreateOptions.DEFAULT);
    img = pool.open("bind-closed", null);
    img.close();
    img.close(); // idempotent
    assertThatThrownBy(img::size).isInstanceOf(FerryException.class).hasMessageContaining("closed");
    pool.remove("bind-closed");
  }

  @Test
  void unreachableClusterFailsInBoundedTime() throws Exception {
    java.nio.file.Path conf = java.nio.file.Files.createTempFile("ferry-dead", ".conf");
    try {
      java.nio.file.Files.writeString(conf, "[global]\nmon_host = 127.0.0.1:9\nauth_client_required = none\n");
      long start = System.nanoTime();
      assertThatThrownBy(() -> RadosCluster.connect(
              new RbdClusterSpec("dead", conf, "admin", null, java.time.Duration.ofSeconds(3))))
          .isInstanceOfSatisfying(RbdException.class, e -> {
            assertThat(e.reason()).isEqualTo(Reason.UNAVAILABLE);
            assertThat(e.getMessage()).contains("dead");
          });
      assertThat((System.nanoTime() - start) / 1e9).isLessThan(20);
    } finally {
      java.nio.file.Files.deleteIfExists(conf);
    }
  }

  static byte[] random(int n, long seed) {
    byte[] b = new byte[n];
    new Random(seed).nextBytes(b);
    return b;
  }

  static String sha256(byte[] data) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }
}
