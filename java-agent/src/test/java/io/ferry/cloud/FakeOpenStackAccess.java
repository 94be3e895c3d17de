package io.ferry.cloud;

import java.util.List;

/** A public handle on {@link FakeOpenStack} for tests in other packages (the CLI's). */
public final class FakeOpenStackAccess implements AutoCloseable {

  private final FakeOpenStack os;

  private FakeOpenStackAccess(FakeOpenStack os) {
    this.os = os;
  }

  public static FakeOpenStackAccess start() throws Exception {
    FakeOpenStack os = new FakeOpenStack();
    Fixtures.standard(os.model);
    return new FakeOpenStackAccess(os);
  }

  public void standardWithVolume(String id, long sizeGb) {
    synchronized (os.model) {
      os.model.volume(id, Fixtures.POOL_A).size = sizeGb;
    }
  }

  /** Volumes fleet-00.. on pool A; every other one attached, alternating two compute hosts. */
  public void fleet(int n, int attachedEvery) {
    synchronized (os.model) {
      for (int i = 0; i < n; i++) {
        String id = String.format("fleet-%02d", i);
        os.model.volume(id, Fixtures.POOL_A).size = 1 + i % 3;
        if (attachedEvery > 0 && i % attachedEvery == 0) {
          os.model.attach(id, "srv-" + id, "ACTIVE", i / attachedEvery % 2 == 0
              ? "compute1" : "compute2");
        }
      }
    }
  }

  public void addSnapshot(String volumeId) {
    synchronized (os.model) {
      os.model.snapshots.put(volumeId, List.of("snap-" + volumeId));
    }
  }

  public void freeze(String volumeId, String status, String migrationStatus) {
    synchronized (os.model) {
      FakeCloudModel.Vol v = os.model.volumes.get(volumeId);
      v.status = status;
      v.migrationStatus = migrationStatus;
      v.frozen = true;
    }
  }

  public void setAttachmentStatus(String volumeId, String status) {
    synchronized (os.model) {
      os.model.attachments.replaceAll(a -> a.volumeId().equals(volumeId)
          ? new FakeCloudModel.Att(a.id(), a.volumeId(), a.instance(), status, a.hostName())
          : a);
    }
  }

  /** An attachment record for an instance Nova does not know. */
  public void addOrphanRecord(String volumeId, String status) {
    synchronized (os.model) {
      os.model.attachments.add(new FakeCloudModel.Att("att-orphan-" + volumeId, volumeId,
          "srv-gone", status, null));
    }
  }

  public void attach(String volumeId, String serverId, String computeHost) {
    synchronized (os.model) {
      os.model.attach(volumeId, serverId, "ACTIVE", computeHost);
    }
  }

  /** Lets a frozen migration advance again (each read moves it one step). */
  public void unfreezeForTest(String volumeId) {
    synchronized (os.model) {
      FakeCloudModel.Vol v = os.model.volumes.get(volumeId);
      v.frozen = false;
      v.stepsLeft = 5;
      v.destHost = Fixtures.POOL_B;
    }
  }

  /** Cinder updated the volume just now. */
  public void touch(String volumeId) {
    synchronized (os.model) {
      os.model.volumes.get(volumeId).updatedAt =
          java.time.LocalDateTime.now(java.time.ZoneOffset.UTC).toString();
    }
  }

  public int maxConcurrent(String key) {
    return os.model.max(key);
  }

  public String volumeState(String id) {
    synchronized (os.model) {
      FakeCloudModel.Vol v = os.model.volumes.get(id);
      return v.status + "/" + v.migrationStatus + "/" + v.host + "/" + v.type;
    }
  }

  public List<String> requests() {
    return List.copyOf(os.requests);
  }

  public void makeMultiattach(String id) {
    synchronized (os.model) {
      os.model.volumes.get(id).multiattach = true;
    }
  }

  public void failMigrationOf(String id) {
    synchronized (os.model) {
      os.model.volumes.get(id).failMigration = true;
    }
  }

  public List<String> actions() {
    synchronized (os.model) {
      return List.copyOf(os.model.actions);
    }
  }

  public String authUrl() {
    return os.authUrl();
  }

  public String password() {
    return FakeOpenStack.PASSWORD;
  }

  public String token() {
    return os.token();
  }

  FakeOpenStack fake() {
    return os;
  }

  @Override
  public void close() {
    os.close();
  }
}
