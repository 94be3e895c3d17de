package io.ferry.cli;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.ferry.cloud.FakeOpenStackAccess;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

class CheckAndMigrateCommandTest {

  @TempDir Path dir;
  FakeOpenStackAccess os;
  CloudCliFixture cli;
  ListAppender<ILoggingEvent> logs = new ListAppender<>();
  Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
  Level rootLevel;

  @BeforeEach
  void start() throws Exception {
    os = FakeOpenStackAccess.start();
    os.standardWithVolume("v1", 10);
    cli = new CloudCliFixture(dir, os.authUrl(), os.password());
    rootLevel = root.getLevel();
    root.setLevel(Level.TRACE);
    logs.start();
    root.addAppender(logs);
  }

  @AfterEach
  void stop() {
    root.detachAppender(logs);
    root.setLevel(rootLevel);
    os.close();
  }

  @Test
  void checkPassesWithExitZero() {
    int code = cli.run(new CheckCommand(), "v1", "--to", "cinder@ceph-b#rbd-b");
    assertThat(code).as(cli.err.toString()).isZero();
    assertThat(cli.out.toString()).contains("PASS destination-capacity").contains("Result: PASS");
  }

  @Test
  void checkFailureExitsSix() {
    os.makeMultiattach("v1");
    int code = cli.run(new CheckCommand(), "v1", "--to", "ceph-b");
    assertThat(code).isEqualTo(6);
    assertThat(cli.out.toString()).contains("FAIL multiattach").contains("Result: FAIL");
  }

  @Test
  void migrateToHostFollowsMigrationStatusToTheEnd() {
    MigrateCommand cmd = new MigrateCommand();
    cmd.sleeper = d -> { };
    int code = cli.run(cmd, "v1", "--to", "cinder@ceph-b#rbd-b", "--poll", "0");
    String out = cli.out.toString();
    assertThat(code).as(out + cli.err).isZero();
    assertThat(out).contains("Started: os-migrate_volume")
        .contains("migration=migrating")
        .contains("migration=completing").contains("migration=success")
        .contains("Done: volume v1 is on cinder@ceph-b#rbd-b");
    assertThat(os.actions()).singleElement().asString().contains("os-migrate_volume");
  }

  @Test
  void migrateByRetypeUsesOnDemandPolicy() {
    MigrateCommand cmd = new MigrateCommand();
    cmd.sleeper = d -> { };
    int code = cli.run(cmd, "v1", "--to", "ceph-b", "--poll", "0");
    assertThat(code).as(cli.out + "" + cli.err).isZero();
    assertThat(os.actions()).singleElement().asString()
        .isEqualTo("v1 os-retype {\"new_type\":\"ceph-b\",\"migration_policy\":\"on-demand\"}");
    assertThat(cli.out.toString()).contains("retyping").contains("type ceph-b");
  }

  @Test
  void failedMigrationExitsSix() {
    os.failMigrationOf("v1");
    MigrateCommand cmd = new MigrateCommand();
    cmd.sleeper = d -> { };
    int code = cli.run(cmd, "v1", "--to", "cinder@ceph-b#rbd-b", "--poll", "0");
    assertThat(code).isEqualTo(6);
    assertThat(cli.out.toString()).contains("Failed: Cinder reports migration_status 'error'");
  }

  @Test
  void migrateRefusesWhenACheckFails() {
    os.makeMultiattach("v1");
    MigrateCommand cmd = new MigrateCommand();
    cmd.sleeper = d -> { };
    assertThat(cli.run(cmd, "v1", "--to", "cinder@ceph-b#rbd-b")).isEqualTo(6);
    assertThat(os.actions()).isEmpty();
  }

  @Test
  void credentialsNeverInLogsOutputOrErrors() throws Exception {
    MigrateCommand cmd = new MigrateCommand();
    cmd.sleeper = d -> { };
    cli.run(cmd, "v1", "--to", "cinder@ceph-b#rbd-b", "--poll", "0");
    cli.run(new CheckCommand(), "nope", "--to", "ceph-b");
    CloudCliFixture wrong = new CloudCliFixture(dir.resolve("..").resolve(dir.getFileName()),
        os.authUrl(), "Wr0ng-Secret-42");
    int code = wrong.run(new CheckCommand(), "v1", "--to", "ceph-b");
    assertThat(code).isEqualTo(10);
    assertThat(wrong.err.toString()).contains("Keystone authentication");
    String all = cli.out + "\n" + cli.err + "\n" + wrong.out + "\n" + wrong.err + "\n"
        + String.join("\n", logs.list.stream().map(ILoggingEvent::getFormattedMessage).toList());
    assertThat(logs.list).isNotEmpty();
    assertThat(all).doesNotContain(os.password()).doesNotContain("Wr0ng-Secret-42")
        .doesNotContain(os.token());
  }

  @Test
  void registeredInTheFerryRootCommand() {
    java.io.StringWriter o = new java.io.StringWriter();
    java.io.StringWriter e = new java.io.StringWriter();
    int code = FerryCli.run(new String[] {"check", "--os-clouds-file", cli.cloudsFile.toString(),
        "--os-cloud", "fake", "v1", "--to", "cinder@ceph-b#rbd-b"},
        new java.io.PrintWriter(o, true), new java.io.PrintWriter(e, true), false, 0);
    assertThat(code).as(o + "" + e).isZero();
    assertThat(o.toString()).contains("Result: PASS");
  }
}
