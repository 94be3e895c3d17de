package io.ferry.cloud;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.ferry.error.FerryException;
import io.ferry.error.Reason;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Reads credentials the way the OpenStack clients do: a named cloud from clouds.yaml
 * ({@code --os-cloud} or {@code OS_CLOUD}), searched in ./clouds.yaml,
 * ~/.config/openstack/clouds.yaml and /etc/openstack/clouds.yaml; otherwise the {@code OS_*}
 * environment variables.
 */
public final class CloudConfigLoader {

  private final Map<String, String> env;
  private final List<Path> searchPath;

  public CloudConfigLoader(Map<String, String> env, List<Path> searchPath) {
    this.env = Map.copyOf(env);
    this.searchPath = List.copyOf(searchPath);
  }

  /** The standard search path and the process environment. */
  public static CloudConfigLoader standard() {
    List<Path> paths = new ArrayList<>();
    paths.add(Path.of("clouds.yaml"));
    String home = System.getProperty("user.home");
    if (home != null) {
      paths.add(Path.of(home, ".config", "openstack", "clouds.yaml"));
    }
    paths.add(Path.of("/etc/openstack/clouds.yaml"));
    return new CloudConfigLoader(System.getenv(), paths);
  }

  /**
   * Loads the named cloud, or OS_CLOUD's, or the environment when neither is given.
   *
   * @param cloudName may be null
   */
  public CloudCredentials load(String cloudName) {
    String name = cloudName != null && !cloudName.isBlank() ? cloudName : env.get("OS_CLOUD");
    CloudCredentials creds = name == null || name.isBlank() ? fromEnvironment() : fromFile(name);
    return creds.requireComplete();
  }

  CloudCredentials fromEnvironment() {
    return new CloudCredentials(
        env.get("OS_AUTH_URL"),
        env.get("OS_USERNAME"),
        env.get("OS_PASSWORD"),
        first(env.get("OS_USER_DOMAIN_NAME"), env.get("OS_USER_DOMAIN_ID")),
        env.get("OS_PROJECT_NAME"),
        env.get("OS_PROJECT_ID"),
        first(env.get("OS_PROJECT_DOMAIN_NAME"), env.get("OS_PROJECT_DOMAIN_ID")),
        env.get("OS_REGION_NAME"),
        env.get("OS_INTERFACE"),
        pathOrNull(env.get("OS_CACERT")),
        !"true".equalsIgnoreCase(env.get("OS_INSECURE")));
  }

  CloudCredentials fromFile(String name) {
    for (Path p : searchPath) {
      if (!Files.isRegularFile(p)) {
        continue;
      }
      JsonNode cloud = readYaml(p).path("clouds").path(name);
      if (!cloud.isMissingNode()) {
        return fromCloudNode(cloud);
      }
    }
    throw new FerryException(
        Reason.NOT_FOUND,
        "cloud '" + name + "' is in no clouds.yaml (searched " + searchPath
            + "): add it there or use the OS_* environment variables");
  }

  private static CloudCredentials fromCloudNode(JsonNode cloud) {
    JsonNode auth = cloud.path("auth");
    JsonNode verify = cloud.path("verify");
    return new CloudCredentials(
        text(auth, "auth_url"),
        text(auth, "username"),
        text(auth, "password"),
        first(text(auth, "user_domain_name"), text(auth, "user_domain_id"),
            text(auth, "domain_name")),
        text(auth, "project_name"),
        text(auth, "project_id"),
        first(text(auth, "project_domain_name"), text(auth, "project_domain_id"),
            text(auth, "domain_name")),
        text(cloud, "region_name"),
        first(text(cloud, "interface"), text(cloud, "endpoint_type")),
        pathOrNull(text(cloud, "cacert")),
        verify.isMissingNode() || verify.asBoolean(true));
  }

  private static JsonNode readYaml(Path p) {
    try {
      return new ObjectMapper(new YAMLFactory()).readTree(p.toFile());
    } catch (IOException e) {
      // The parser's message may quote the file's content (a password): keep only the position.
      throw new FerryException(
          Reason.INVALID_ARGUMENT,
          p + ": not readable as YAML (" + e.getClass().getSimpleName()
              + "): fix the file's syntax");
    }
  }

  private static String text(JsonNode node, String field) {
    JsonNode v = node.path(field);
    return v.isMissingNode() || v.isNull() ? null : v.asText();
  }

  private static String first(String... values) {
    for (String v : values) {
      if (v != null && !v.isBlank()) {
        return v;
      }
    }
    return null;
  }

  private static Path pathOrNull(String s) {
    return s == null || s.isBlank() ? null : Path.of(s);
  }
}
