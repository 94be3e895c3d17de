package io.ferry.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ferry.error.FerryException;
import io.ferry.error.Reason;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigLoaderTest {

  @TempDir Path dir;

  @BeforeEach
  void files() throws IOException {
    Files.createDirectories(dir.resolve("images"));
    for (String f : new String[] {"agent.crt", "agent.key", "ca.crt", "ceph.conf", "keyring"}) {
      Files.writeString(dir.resolve(f), "x");
    }
  }

  private AgentConfig load(String yaml) throws IOException {
    Path file = dir.resolve("agent.yaml");
    Files.writeString(file, yaml);
    return ConfigLoader.load(file);
  }

  private static final String TLS = """
      tls:
        cert: agent.crt
        key: agent.key
        client_ca: ca.crt
        allowed_clients: [cinder-volume]
      """;

  @Test
  void theExampleParsesWithEveryKey() throws IOException {
    String yaml;
    try (InputStream in = getClass().getResourceAsStream("/ferry-agent.example.yaml")) {
      yaml = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
    AgentConfig c = ConfigLoader.parse("example", yaml);
    assertThat(c.listen()).isEqualTo(new HostPort("127.0.0.1", 7420));
    assertThat(c.tls().allowedClients()).contains("cinder-volume");
    assertThat(c.roots()).containsKeys("default", "import");
    assertThat(c.budgets().totalBandwidth()).isEqualTo(200L << 20);
    assertThat(c.budgets().maxConcurrentJobs()).isEqualTo(2);
    assertThat(c.copyDefaults().chunkSize()).isEqualTo(4L << 20);
    assertThat(c.clusters().get("ceph-a").clientId()).isEqualTo("cinder");
    assertThat(c.clusters().get("ceph-a").libvirtSecretUuid()).isNotNull();
    assertThat(c.metrics().listen()).isEqualTo(new HostPort("127.0.0.1", 9420));
    assertThat(c.libvirtUri()).isEqualTo("qemu:///system");
    assertThat(c.keepFinishedJobs()).isEqualTo(java.time.Duration.ofDays(7));
  }

  @Test
  void keepFinishedJobsTakesUnitsAndDefaultsToSevenDays() throws IOException {
    String base = "journal_dir: j\ninsecure_plaintext: true\n";
    assertThat(load(base).keepFinishedJobs()).isEqualTo(java.time.Duration.ofDays(7));
    assertThat(load(base + "keep_finished_jobs: 36h\n").keepFinishedJobs())
        .isEqualTo(java.time.Duration.ofHours(36));
    assertThat(load(base + "keep_finished_jobs: 90m\n").keepFinishedJobs())
        .isEqualTo(java.time.Duration.ofMinutes(90));
    assertThat(load(base + "keep_finished_jobs: 7200\n").keepFinishedJobs())
        .isEqualTo(java.time.Duration.ofHours(2));
  }

  @Test
  void keepFinishedJobsRefusesNegativeTinyAbsurdAndGarbledValuesNamingTheKey() {
    String base = "journal_dir: j\ninsecure_plaintext: true\n";
    assertThatThrownBy(() -> load(base + "keep_finished_jobs: -1d\n"))
        .isInstanceOf(FerryException.class)
        .hasMessageContaining("keep_finished_jobs: -1d is out of range 1h..3650d");
    assertThatThrownBy(() -> load(base + "keep_finished_jobs: 10m\n"))
        .hasMessageContaining("keep_finished_jobs: 10m is out of range");
    assertThatThrownBy(() -> load(base + "keep_finished_jobs: 100000d\n"))
        .hasMessageContaining("keep_finished_jobs: 100000d is out of range");
    assertThatThrownBy(() -> load(base + "keep_finished_jobs: a week\n"))
        .hasMessageContaining("keep_finished_jobs")
        .hasMessageContaining("7d");
  }

  @Test
  void aMinimalConfigGetsDefaultsAndPathsRelativeToTheFile() throws IOException {
    AgentConfig c = load(TLS + "roots: {default: images}\njournal_dir: journal\n");
    assertThat(c.listen()).isEqualTo(AgentConfig.DEFAULT_LISTEN);
    assertThat(c.roots().get("default")).isEqualTo(dir.resolve("images"));
    assertThat(c.journalDir()).isEqualTo(dir.resolve("journal"));
    assertThat(c.tls().cert()).isEqualTo(dir.resolve("agent.crt"));
    assertThat(c.budgets().maxConcurrentJobs()).isEqualTo(BudgetConfig.DEFAULT_MAX_CONCURRENT_JOBS);
    assertThat(c.budgets().totalBandwidth()).isZero();
    assertThat(c.copyDefaults().parallelism()).isEqualTo(CopyDefaults.DEFAULT_PARALLELISM);
    assertThat(c.metrics().listen()).isNull();
  }

  @Test
  void anUnknownKeyIsRefusedWithItsPathAndTheAllowedKeys() {
    assertThatThrownBy(() -> load(TLS + "journal_dir: j\nbudgets:\n  max_concurent_jobs: 3\n"))
        .isInstanceOf(FerryException.class)
        .hasMessageContaining("agent.yaml")
        .hasMessageContaining("budgets.max_concurent_jobs: unknown key")
        .hasMessageContaining("max_concurrent_jobs");
  }

  @Test
  void aBadRateNamesTheKey() {
    assertThatThrownBy(() -> load(TLS + "journal_dir: j\nbudgets:\n  total_bandwidth: fast\n"))
        .hasMessageContaining("budgets.total_bandwidth")
        .hasMessageContaining("200MiB/s");
  }

  @Test
  void aBadAddressNamesTheKey() {
    assertThatThrownBy(() -> load(TLS + "journal_dir: j\nlisten: localhost\n"))
        .hasMessageContaining("listen")
        .hasMessageContaining("host:port");
  }

  @Test
  void invalidYamlSaysSo() {
    assertThatThrownBy(() -> load("journal_dir: \"unclosed\n"))
        .hasMessageContaining("not valid YAML");
  }

  @Test
  void anEmptyFileOrAMissingFileIsExplained() throws IOException {
    assertThatThrownBy(() -> load("")).hasMessageContaining("is empty");
    assertThatThrownBy(() -> ConfigLoader.load(dir.resolve("nope.yaml")))
        .hasMessageContaining("does not exist");
  }

  @Test
  void tlsIsRequiredUnlessPlaintextOnLoopback() {
    assertThatThrownBy(() -> load("journal_dir: j\n"))
        .hasMessageContaining("tls: required");
    assertThatThrownBy(() -> load("journal_dir: j\ninsecure_plaintext: true\nlisten: 0.0.0.0:7420\n"))
        .hasMessageContaining("insecure_plaintext: allowed only when listen is a loopback");
    assertThatThrownBy(() -> load(TLS + "journal_dir: j\ninsecure_plaintext: true\n"))
        .hasMessageContaining("remove one of them");
  }

  @Test
  void plaintextOnLoopbackIsAccepted() throws IOException {
    AgentConfig c = load("journal_dir: j\ninsecure_plaintext: true\nlisten: 127.0.0.1:0\n");
    assertThat(c.insecurePlaintext()).isTrue();
    assertThat(c.tls()).isNull();
  }

  @Test
  void tlsFilesMustExistAndClientsMustBeListed() {
    assertThatThrownBy(() -> load(TLS.replace("agent.key", "missing.key") + "journal_dir: j\n"))
        .hasMessageContaining("tls.key:")
        .hasMessageContaining("does not exist");
    assertThatThrownBy(() -> load(TLS.replace("[cinder-volume]", "[]") + "journal_dir: j\n"))
        .hasMessageContaining("tls.allowed_clients: required");
  }

  @Test
  void rootsMustBeDirectoriesWithSaneIds() {
    assertThatThrownBy(() -> load(TLS + "journal_dir: j\nroots: {default: nothere}\n"))
        .hasMessageContaining("roots.default:")
        .hasMessageContaining("is not a directory");
    assertThatThrownBy(() -> load(TLS + "journal_dir: j\nroots: {\"a b\": images}\n"))
        .hasMessageContaining("roots.a b:");
  }

  @Test
  void journalDirIsRequired() {
    assertThatThrownBy(() -> load(TLS)).hasMessageContaining("journal_dir: required");
  }

  @Test
  void budgetsAndDefaultsAreRangeChecked() {
    assertThatThrownBy(() -> load(TLS + "journal_dir: j\nbudgets: {max_concurrent_jobs: 0}\n"))
        .hasMessageContaining("budgets.max_concurrent_jobs: 0 is out of range");
    assertThatThrownBy(() -> load(TLS + "journal_dir: j\ncopy_defaults: {chunk_size: 1000}\n"))
        .hasMessageContaining("copy_defaults.chunk_size");
    assertThatThrownBy(() -> load(TLS + "journal_dir: j\ncopy_defaults: {parallelism: 1000}\n"))
        .hasMessageContaining("copy_defaults.parallelism");
  }

  @Test
  void clustersAreChecked() throws IOException {
    AgentConfig ok = load(TLS + "journal_dir: j\nclusters:\n  a:\n    ceph_conf: ceph.conf\n"
        + "    keyring: keyring\n");
    assertThat(ok.clusters().get("a").clientId()).isEqualTo("admin");
    assertThat(ok.clusters().get("a").toString()).doesNotContain("x");
    assertThatThrownBy(() -> load(TLS + "journal_dir: j\nclusters:\n  a:\n    client_id: c\n"))
        .hasMessageContaining("clusters.a.ceph_conf: required");
    assertThatThrownBy(() -> load(TLS + "journal_dir: j\nclusters:\n  a:\n    ceph_conf: ceph.conf\n"
        + "    libvirt_secret_uuid: nope\n"))
        .hasMessageContaining("clusters.a.libvirt_secret_uuid: not a UUID");
  }

  @Test
  void errorsAreInvalidArgument() {
    assertThatThrownBy(() -> load("nope: 1\n"))
        .isInstanceOfSatisfying(FerryException.class,
            e -> assertThat(e.reason()).isEqualTo(Reason.INVALID_ARGUMENT));
  }
}
