package io.ferry.cloud;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ferry.error.FerryException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CloudConfigLoaderTest {

  @TempDir Path dir;

  @Test
  void readsNamedCloudFromTheFirstCloudsYamlThatHasIt() throws Exception {
    Path first = dir.resolve("a.yaml");
    Files.writeString(first, "clouds:\n  other:\n    auth: {auth_url: http://x}\n");
    Path second = dir.resolve("b.yaml");
    Files.writeString(second, """
        clouds:
          lab:
            auth:
              auth_url: https://keystone.lab:5000/v3
              username: ferry
              password: "hunter2-very-secret"
              project_name: service
              user_domain_name: Default
              project_domain_name: Default
            region_name: RegionTwo
            interface: internal
            cacert: /etc/ssl/lab-ca.pem
        """);
    CloudCredentials c = new CloudConfigLoader(Map.of(), List.of(first, second)).load("lab");
    assertThat(c.authUrl()).isEqualTo("https://keystone.lab:5000/v3");
    assertThat(c.username()).isEqualTo("ferry");
    assertThat(c.password()).isEqualTo("hunter2-very-secret");
    assertThat(c.projectName()).isEqualTo("service");
    assertThat(c.region()).isEqualTo("RegionTwo");
    assertThat(c.interfaceName()).isEqualTo("internal");
    assertThat(c.caFile()).isEqualTo(Path.of("/etc/ssl/lab-ca.pem"));
    assertThat(c.toString()).doesNotContain("hunter2").contains("password=***");
  }

  @Test
  void osCloudVariableSelectsTheCloud() throws Exception {
    Path f = dir.resolve("clouds.yaml");
    Files.writeString(f, "clouds:\n  c1:\n    auth: {auth_url: http://k/v3, username: u,"
        + " password: p, project_id: abc}\n");
    CloudCredentials c = new CloudConfigLoader(Map.of("OS_CLOUD", "c1"), List.of(f)).load(null);
    assertThat(c.projectId()).isEqualTo("abc");
    assertThat(c.interfaceName()).isEqualTo("public");
    assertThat(c.userDomain()).isEqualTo("Default");
  }

  @Test
  void fallsBackToOsEnvironment() {
    Map<String, String> env = Map.of("OS_AUTH_URL", "http://k:5000", "OS_USERNAME", "admin",
        "OS_PASSWORD", "env-secret-pw", "OS_PROJECT_NAME", "admin", "OS_REGION_NAME", "R1",
        "OS_INTERFACE", "admin", "OS_USER_DOMAIN_NAME", "Dom");
    CloudCredentials c = new CloudConfigLoader(env, List.of()).load(null);
    assertThat(c.userDomain()).isEqualTo("Dom");
    assertThat(c.region()).isEqualTo("R1");
    assertThat(c.interfaceName()).isEqualTo("admin");
    assertThat(c.toString()).doesNotContain("env-secret-pw");
  }

  @Test
  void missingFieldIsNamedWithoutShowingSecrets() {
    Map<String, String> env = Map.of("OS_AUTH_URL", "http://k", "OS_USERNAME", "admin",
        "OS_PASSWORD", "pw-not-shown");
    assertThatThrownBy(() -> new CloudConfigLoader(env, List.of()).load(null))
        .isInstanceOf(FerryException.class)
        .hasMessageContaining("OS_PROJECT_NAME")
        .hasMessageNotContaining("pw-not-shown");
  }

  @Test
  void unknownCloudSaysWhereItLooked() {
    assertThatThrownBy(() -> new CloudConfigLoader(Map.of(), List.of(dir.resolve("none.yaml")))
        .load("nope")).hasMessageContaining("'nope'").hasMessageContaining("none.yaml");
  }

  @Test
  void brokenYamlErrorDoesNotQuoteTheFile() throws Exception {
    Path f = dir.resolve("clouds.yaml");
    Files.writeString(f, "clouds:\n  c: {auth: {password: \"leaky-pass\", [oops\n");
    assertThatThrownBy(() -> new CloudConfigLoader(Map.of(), List.of(f)).load("c"))
        .hasMessageNotContaining("leaky-pass").hasMessageContaining("YAML");
  }
}
