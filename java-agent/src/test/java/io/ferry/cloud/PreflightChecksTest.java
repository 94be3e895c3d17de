package io.ferry.cloud;

import static org.assertj.core.api.Assertions.assertThat;

import io.ferry.cloud.CheckResult.Verdict;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Every pre-flight check, passing and failing, read through the fake Cinder and Nova. */
class PreflightChecksTest {

  static FakeOpenStack os;
  static OpenStackCloud cloud;
  FakeCloudModel m;

  @BeforeAll
  static void startServer() throws Exception {
    os = new FakeOpenStack();
    cloud = Fixtures.connect(os);
  }

  @AfterAll
  static void stopServer() {
    os.close();
  }

  @BeforeEach
  void freshModel() {
    m = os.model;
    synchronized (m) {
      m.volumes.clear();
      m.attachments.clear();
      m.servers.clear();
      m.pools.clear();
      m.volumeServices.clear();
      m.computeServices.clear();
      m.types.clear();
      m.encryption.clear();
      m.snapshots.clear();
      Fixtures.standard(m);
      m.volume("v1", Fixtures.POOL_A).size = 10;
    }
  }

  List<CheckResult> check(String to) {
    return PreflightChecks.run(new PreflightGatherer(cloud).gather("v1", MoveTarget.parse(to)));
  }

  static CheckResult result(List<CheckResult> rs, String name) {
    return rs.stream().filter(r -> r.name().equals(name)).findFirst().orElseThrow();
  }

  static Verdict verdict(List<CheckResult> rs, String name) {
    return result(rs, name).verdict();
  }

  @Test
  void detachedVolumeToAnotherPoolPassesEverything() {
    List<CheckResult> rs = check(Fixtures.POOL_B);
    assertThat(rs).extracting(CheckResult::verdict).containsOnly(Verdict.PASS);
    assertThat(rs).extracting(CheckResult::name).containsExactly("volume-state", "attachments",
        "instance-state", "destination-backend", "destination-capacity", "multiattach",
        "encryption", "snapshots", "nova-swap");
    assertThat(PreflightChecks.anyFailed(rs)).isFalse();
  }

  @Test
  void attachedToActiveInstanceOnUpComputePasses() {
    m.attach("v1", "srv1", "ACTIVE", "compute1");
    List<CheckResult> rs = check("ceph-b");
    assertThat(rs).extracting(CheckResult::verdict).containsOnly(Verdict.PASS);
    assertThat(result(rs, "attachments").reason()).contains("srv1");
    assertThat(result(rs, "nova-swap").reason()).contains("compute1").contains("not checkable");
  }

  @Test
  void attachedToTwoInstancesFails() {
    m.attach("v1", "srv1", "ACTIVE", "compute1");
    m.attach("v1", "srv2", "ACTIVE", "compute2");
    assertThat(verdict(check(Fixtures.POOL_B), "attachments")).isEqualTo(Verdict.FAIL);
  }

  @Test
  void attachedIsDecidedFromAttachmentsNotStatus() {
    // Cinder bug 2019190: during retype an attached volume has status "retyping".
    m.attach("v1", "srv1", "SHUTOFF", "compute1");
    m.volumes.get("v1").status = "retyping";
    List<CheckResult> rs = check(Fixtures.POOL_B);
    assertThat(result(rs, "attachments").reason()).contains("attached to instance srv1");
    assertThat(verdict(rs, "instance-state")).isEqualTo(Verdict.FAIL);
    assertThat(verdict(rs, "volume-state")).isEqualTo(Verdict.FAIL);
  }

  @Test
  void attachmentInTransitionFails() {
    m.attachments.add(new FakeCloudModel.Att("att-x", "v1", "srv9", "attaching", "compute1"));
    m.servers.put("srv9", new FakeCloudModel.Srv("srv9", "ACTIVE", "compute1"));
    CheckResult r = result(check(Fixtures.POOL_B), "attachments");
    assertThat(r.verdict()).isEqualTo(Verdict.FAIL);
    assertThat(r.reason()).contains("attaching");
  }

  @Test
  void instanceStates() {
    m.attach("v1", "srv1", "PAUSED", "compute1");
    assertThat(verdict(check(Fixtures.POOL_B), "instance-state")).isEqualTo(Verdict.PASS);
    m.servers.put("srv1", new FakeCloudModel.Srv("srv1", "SHUTOFF", "compute1"));
    CheckResult r = result(check(Fixtures.POOL_B), "instance-state");
    assertThat(r.verdict()).isEqualTo(Verdict.FAIL);
    assertThat(r.action()).contains("start");
  }

  @Test
  void destinationBackendDownOrDisabledFails() {
    m.volumeServices.replaceAll(s -> s.host().equals("cinder@ceph-b")
        ? new FakeCloudModel.Svc(s.binary(), s.host(), "enabled", "down", "up") : s);
    CheckResult r = result(check(Fixtures.POOL_B), "destination-backend");
    assertThat(r.verdict()).isEqualTo(Verdict.FAIL);
    assertThat(r.reason()).contains("down");
    m.volumeServices.replaceAll(s -> s.host().equals("cinder@ceph-b")
        ? new FakeCloudModel.Svc(s.binary(), s.host(), "enabled", "up", "down") : s);
    assertThat(verdict(check(Fixtures.POOL_B), "destination-backend")).isEqualTo(Verdict.FAIL);
    m.volumeServices.replaceAll(s -> s.host().equals("cinder@ceph-b")
        ? new FakeCloudModel.Svc(s.binary(), s.host(), "disabled", "up", "up") : s);
    assertThat(verdict(check(Fixtures.POOL_B), "destination-backend")).isEqualTo(Verdict.FAIL);
  }

  @Test
  void unknownDestinationFails() {
    assertThat(verdict(check("cinder@ceph-z#nowhere"), "destination-backend"))
        .isEqualTo(Verdict.FAIL);
    assertThat(verdict(check("no-such-type"), "destination-backend")).isEqualTo(Verdict.FAIL);
  }

  @Test
  void capacityBelowSizeFailsAndUnknownWarns() {
    m.pools.replaceAll(p -> p.name().equals(Fixtures.POOL_B)
        ? new FakeCloudModel.PoolRow(p.name(), 9.5, null, p.backendName()) : p);
    CheckResult r = result(check(Fixtures.POOL_B), "destination-capacity");
    assertThat(r.verdict()).isEqualTo(Verdict.FAIL);
    assertThat(r.reason()).contains("9.5").contains("10 GiB");
    m.pools.replaceAll(p -> p.name().equals(Fixtures.POOL_B)
        ? new FakeCloudModel.PoolRow(p.name(), -1, null, p.backendName()) : p);
    assertThat(verdict(check(Fixtures.POOL_B), "destination-capacity")).isEqualTo(Verdict.WARN);
  }

  @Test
  void multiattachFails() {
    m.volumes.get("v1").multiattach = true;
    assertThat(verdict(check(Fixtures.POOL_B), "multiattach")).isEqualTo(Verdict.FAIL);
  }

  @Test
  void nativeLuksFailsWhenAttachedOnly() {
    m.volumes.get("v1").encrypted = true;
    m.encryption.put("type-ceph", new String[] {"luks", "front-end"});
    assertThat(verdict(check(Fixtures.POOL_B), "encryption")).isEqualTo(Verdict.PASS);
    m.attach("v1", "srv1", "ACTIVE", "compute1");
    CheckResult r = result(check(Fixtures.POOL_B), "encryption");
    assertThat(r.verdict()).isEqualTo(Verdict.FAIL);
    assertThat(r.reason()).contains("native LUKS");
    m.encryption.put("type-ceph", new String[] {"plain", "front-end"});
    assertThat(verdict(check(Fixtures.POOL_B), "encryption")).isEqualTo(Verdict.PASS);
  }

  @Test
  void snapshotsFailAMigration() {
    m.snapshots.put("v1", List.of("s1", "s2"));
    CheckResult r = result(check(Fixtures.POOL_B), "snapshots");
    assertThat(r.verdict()).isEqualTo(Verdict.FAIL);
    assertThat(r.reason()).startsWith("2 snapshot(s)");
    // a retype to a type on the same backend may not migrate at all
    m.type("type-a2", "ceph-a-gold", "ceph-a");
    assertThat(verdict(check("ceph-a-gold"), "snapshots")).isEqualTo(Verdict.WARN);
  }

  @Test
  void migrateOfATypePinnedToItsBackendFails() {
    // Zed's scheduler: "Cannot place volume ... on host@ferry-b#ferry-b" (NoValidBackend).
    m.volumes.get("v1").type = "ceph-a";
    m.volumes.get("v1").typeId = "type-a";
    CheckResult r = result(check(Fixtures.POOL_B), "destination-backend");
    assertThat(r.verdict()).isEqualTo(Verdict.FAIL);
    assertThat(r.reason()).contains("'ceph-a'").contains("refuses the migrate");
    assertThat(r.action()).contains("retype");
    assertThat(verdict(check("ceph-b"), "destination-backend")).isEqualTo(Verdict.PASS);
  }

  @Test
  void migrateOfATypeWhoseSpecFerryCannotReadIsLeftToTheScheduler() {
    m.type("type-odd", "odd", "s>= ceph");
    m.volumes.get("v1").type = "odd";
    m.volumes.get("v1").typeId = "type-odd";
    assertThat(verdict(check(Fixtures.POOL_B), "destination-backend")).isEqualTo(Verdict.PASS);
  }

  @Test
  void typeWithAnInSpecReachesEveryMatchingPool() {
    CheckResult r = result(check("ceph"), "destination-backend");
    assertThat(r.verdict()).isEqualTo(Verdict.PASS);
    assertThat(r.reason()).contains(Fixtures.POOL_A).contains(Fixtures.POOL_B);
  }

  @Test
  void novaComputeDownFailsSwapCheck() {
    m.attach("v1", "srv1", "ACTIVE", "compute1");
    m.computeServices.replaceAll(s -> s.host().equals("compute1")
        ? new FakeCloudModel.Svc(s.binary(), s.host(), "enabled", "down", null) : s);
    CheckResult r = result(check(Fixtures.POOL_B), "nova-swap");
    assertThat(r.verdict()).isEqualTo(Verdict.FAIL);
    assertThat(r.reason()).contains("compute1");
  }

  @Test
  void migrationInProgressOrSameHostFailsVolumeState() {
    m.volumes.get("v1").migrationStatus = "migrating";
    assertThat(verdict(check(Fixtures.POOL_B), "volume-state")).isEqualTo(Verdict.FAIL);
    m.volumes.get("v1").migrationStatus = null;
    assertThat(verdict(check(Fixtures.POOL_A), "volume-state")).isEqualTo(Verdict.FAIL);
  }

  @Test
  void renderShowsVerdictReasonAndAction() {
    m.volumes.get("v1").multiattach = true;
    String text = result(check(Fixtures.POOL_B), "multiattach").render();
    assertThat(text).startsWith("FAIL multiattach").contains("-> move it while detached");
  }
}
