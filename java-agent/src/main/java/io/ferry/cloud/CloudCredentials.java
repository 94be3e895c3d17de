package io.ferry.cloud;

import java.nio.file.Path;

/**
 * What Keystone v3 password authentication with project scope needs, plus where to find the
 * services (region, interface) and how to trust them (CA file).
 *
 * <p>{@link #toString()} never shows the password: this record ends up in log lines and
 * exception messages.
 */
public record CloudCredentials(
    String authUrl,
    String username,
    String password,
    String userDomain,
    String projectName,
    String projectId,
    String projectDomain,
    String region,
    String interfaceName,
    Path caFile,
    boolean verifyTls) {

  public CloudCredentials {
    interfaceName = interfaceName == null || interfaceName.isBlank() ? "public" : interfaceName;
    userDomain = userDomain == null || userDomain.isBlank() ? "Default" : userDomain;
    projectDomain = projectDomain == null || projectDomain.isBlank() ? "Default" : projectDomain;
  }

  /** Throws a FerryException naming the first missing field and where it comes from. */
  public CloudCredentials requireComplete() {
    require(authUrl, "auth_url (OS_AUTH_URL)");
    require(username, "username (OS_USERNAME)");
    require(password, "password (OS_PASSWORD)");
    if (blank(projectName) && blank(projectId)) {
      throw io.ferry.error.FerryException.invalid(
          "project_name (OS_PROJECT_NAME) or project_id (OS_PROJECT_ID)",
          "missing: Ferry authenticates with project scope; set one of them");
    }
    return this;
  }

  private static void require(String value, String field) {
    if (blank(value)) {
      throw io.ferry.error.FerryException.invalid(
          field, "missing: set it in clouds.yaml (--os-cloud) or in the environment");
    }
  }

  private static boolean blank(String s) {
    return s == null || s.isBlank();
  }

  @Override
  public String toString() {
    return "CloudCredentials[authUrl=" + authUrl
        + ", username=" + username
        + ", password=" + (blank(password) ? "<unset>" : "***")
        + ", userDomain=" + userDomain
        + ", project=" + (blank(projectName) ? projectId : projectName)
        + ", projectDomain=" + projectDomain
        + ", region=" + region
        + ", interface=" + interfaceName
        + ", caFile=" + caFile
        + ", verifyTls=" + verifyTls + "]";
  }
}
