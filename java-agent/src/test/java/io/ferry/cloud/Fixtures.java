package io.ferry.cloud;

/**
 * A small cloud: two Ceph backends with one pool each, a type pinned to each and one admitting
 * both (the volumes' default), two compute hosts.
 */
final class Fixtures {

  static final String POOL_A = "cinder@ceph-a#rbd-a";
  static final String POOL_B = "cinder@ceph-b#rbd-b";

  private Fixtures() {}

  static void standard(FakeCloudModel m) {
    m.pool(POOL_A, 500, "ceph-a");
    m.pool(POOL_B, 500, "ceph-b");
    m.type("type-a", "ceph-a", "ceph-a");
    m.type("type-b", "ceph-b", "ceph-b");
    // Volumes get this one: Cinder migrates a volume only to a pool its type admits.
    m.type("type-ceph", "ceph", "<in> ceph-");
    m.computeService("compute1", "enabled", "up");
    m.computeService("compute2", "enabled", "up");
  }

  static OpenStackCloud connect(FakeOpenStack os) {
    return OpenStackCloud.connect(os.credentials());
  }
}
