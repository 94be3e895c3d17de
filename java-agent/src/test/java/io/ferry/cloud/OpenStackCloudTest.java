package io.ferry.cloud;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ferry.error.FerryException;
import io.ferry.error.Reason;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The Keystone login (openstack4j) and the thin client against the local fake. */
class OpenStackCloudTest {

  FakeOpenStack os;
  OpenStackCloud cloud;

  @BeforeEach
  void start() throws Exception {
    os = new FakeOpenStack();
    Fixtures.standard(os.model);
    os.model.volume("v1", Fixtures.POOL_A).size = 10;
    os.model.attach("v1", "srv1", "ACTIVE", "compute1");
    cloud = Fixtures.connect(os);
  }

  @AfterEach
  void stop() {
    os.close();
  }

  @Test
  void readsVolumeWithAdminFieldsThroughTheCatalogAndMicroversions() {
    Volume v = cloud.volume("v1");
    assertThat(v.host()).isEqualTo(Fixtures.POOL_A);
    assertThat(v.sizeGb()).isEqualTo(10);
    assertThat(v.status()).isEqualTo("in-use");
    assertThat(v.volumeTypeId()).isEqualTo("type-ceph");
    assertThat(v.attachments()).extracting(Volume.Attached::serverId).containsExactly("srv1");
    assertThat(os.microversions).contains("cinder volume 3.63");
    assertThat(os.requests).anyMatch(r -> r.startsWith("GET /volume/v3/"
        + FakeOpenStack.PROJECT_ID + "/volumes/v1"));
  }

  @Test
  void attachmentsApiAndNovaVolumeAttachments() {
    assertThat(cloud.attachments("v1")).containsExactly(
        new Attachment("att-v1-srv1", "attached", "srv1", "v1"));
    List<ServerVolume> sv = cloud.serverVolumes("srv1");
    assertThat(sv).hasSize(1);
    assertThat(sv.get(0).attachmentId()).isEqualTo("att-v1-srv1");
    assertThat(sv.get(0).bdmUuid()).isEqualTo("bdm-att-v1-srv1");
    assertThat(os.microversions).contains("nova 2.89");
    assertThat(cloud.server("srv1").computeHost()).isEqualTo("compute1");
    assertThat(cloud.computeServices("compute1")).singleElement()
        .matches(ServiceStatus::usable);
  }

  @Test
  void poolsServicesTypes() {
    assertThat(cloud.pools()).extracting(Pool::name)
        .containsExactly(Fixtures.POOL_A, Fixtures.POOL_B);
    assertThat(cloud.pools().get(0).freeCapacityGb()).isEqualTo(500.0);
    assertThat(cloud.volumeServices()).extracting(ServiceStatus::backendState)
        .containsOnly("up");
    assertThat(cloud.volumeTypes()).extracting(VolumeType::backendName)
        .containsExactly("ceph-a", "ceph-b", "<in> ceph-");
    assertThat(cloud.encryption("type-a")).isEmpty();
  }

  @Test
  void actionsSendCinderBodies() {
    cloud.migrate("v1", Fixtures.POOL_B, false, true);
    cloud.resetStatus("v1", "in-use", null, "error");
    assertThat(os.model.actions).containsExactly(
        "v1 os-migrate_volume {\"host\":\"" + Fixtures.POOL_B
            + "\",\"force_host_copy\":false,\"lock_volume\":true}",
        "v1 os-reset_status {\"status\":\"in-use\",\"migration_status\":\"error\"}");
  }

  @Test
  void cinderErrorsBecomeFerryExceptionsWithCindersMessage() {
    assertThatThrownBy(() -> cloud.volume("nope"))
        .isInstanceOf(FerryException.class)
        .satisfies(e -> assertThat(((FerryException) e).reason()).isEqualTo(Reason.NOT_FOUND))
        .hasMessageContaining("could not be found");
  }

  @Test
  void oneLoginServesManyThreads() throws Exception {
    var pool = Executors.newFixedThreadPool(4);
    try {
      List<Future<Volume>> fs = new java.util.ArrayList<>();
      for (int i = 0; i < 8; i++) {
        fs.add(pool.submit(() -> cloud.volume("v1")));
      }
      for (Future<Volume> f : fs) {
        assertThat(f.get().id()).isEqualTo("v1");
      }
    } finally {
      pool.shutdownNow();
    }
    assertThat(os.tokensIssued).isEqualTo(1);
  }

  @Test
  void wrongPasswordFailsWithoutShowingIt() {
    CloudCredentials c = os.credentials();
    CloudCredentials bad = new CloudCredentials(c.authUrl(), c.username(), "Wr0ng-Secret-42",
        c.userDomain(), c.projectName(), null, c.projectDomain(), c.region(), c.interfaceName(),
        null, true);
    KeystoneLogin login = new KeystoneLogin(bad, Clock.systemUTC());
    assertThatThrownBy(login::session)
        .isInstanceOf(FerryException.class)
        .hasMessageContaining("Keystone authentication")
        .hasMessageNotContaining("Wr0ng-Secret-42");
    assertThat(login.toString()).doesNotContain("Wr0ng-Secret-42");
  }

  @Test
  void sessionToStringHidesToken() {
    CloudSession s = new KeystoneLogin(os.credentials(), Clock.systemUTC()).session();
    assertThat(s.tokenId()).isEqualTo(os.token());
    assertThat(s.toString()).doesNotContain(os.token());
    assertThat(s.projectId()).isEqualTo(FakeOpenStack.PROJECT_ID);
  }
}
