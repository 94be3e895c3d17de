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
