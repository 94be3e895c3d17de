package io.ferry.cloud;

import io.ferry.error.FerryException;
import io.ferry.error.Reason;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import javax.net.ssl.SSLContext;
import org.openstack4j.api.OSClient;
import org.openstack4j.api.types.Facing;
import org.openstack4j.core.transport.Config;
import org.openstack4j.model.common.Identifier;
import org.openstack4j.model.identity.v3.Endpoint;
import org.openstack4j.model.identity.v3.Service;
import org.openstack4j.model.identity.v3.Token;
import org.openstack4j.openstack.OSFactory;
import org.openstack4j.openstack.identity.v3.domain.KeystoneAuth;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keystone v3 password authentication with project scope through openstack4j. The token and
 * catalog are copied out of openstack4j's (thread-bound) client into a {@link CloudSession};
 * a new token is fetched when the current one is within five minutes of its expiry.
 */
public final class KeystoneLogin implements SessionSource {

  private static final Logger LOG = LoggerFactory.getLogger(KeystoneLogin.class);
  private static final Duration RENEW_MARGIN = Duration.ofMinutes(5);

  private final CloudCredentials creds;
  private final SSLContext sslContext;
  private final Clock clock;
  private CloudSession current;

  public KeystoneLogin(CloudCredentials creds, Clock clock) {
    this.creds = creds.requireComplete();
    this.sslContext = TlsContexts.forCloud(creds);
    this.clock = clock;
  }

  @Override
  public synchronized CloudSession session() {
    if (current == null || current.expiresWithin(RENEW_MARGIN, clock.instant())) {
      current = authenticate();
    }
    return current;
  }

  @Override
  public synchronized void invalidate() {
    current = null;
  }

  @Override
  public String region() {
    return creds.region();
  }

  @Override
  public String iface() {
    return creds.interfaceName();
  }

  @Override
  public SSLContext sslContext() {
    return sslContext;
  }

  private CloudSession authenticate() {
    LOG.debug("authenticating to Keystone as {}", creds);
    try {
      Token token = customTls() ? KeystoneTokenRequest.post(creds, sslContext, scope())
          : openstack4jLogin();
      return toSession(token);
    } catch (FerryException e) {
      throw e;
    } catch (RuntimeException e) {
      throw new FerryException(
          Reason.PERMISSION_DENIED,
          "Keystone authentication at " + creds.authUrl() + " as user '" + creds.username()
              + "' failed (" + Secrets.scrub(e.getMessage(), creds.password())
              + "): check the credentials, project and domain of the cloud");
    }
  }

  /**
   * openstack4j's OkHttp connector cannot take an SSLContext on JDK 9+ (OkHttp 3.14's
   * {@code sslSocketFactory(SSLSocketFactory)} throws there): with a CA file or verify=false
   * the same openstack4j auth request is sent through java.net.http instead.
   */
  private boolean customTls() {
    return creds.caFile() != null || !creds.verifyTls();
  }

  private Token openstack4jLogin() {
    OSClient.OSClientV3 client =
        OSFactory.builderV3()
            .endpoint(identityV3Url(creds.authUrl()))
            .credentials(creds.username(), creds.password(), domain(creds.userDomain()))
            .scopeToProject(project(), domain(creds.projectDomain()))
            .perspective(facing(creds.interfaceName()))
            .withConfig(Config.newConfig().withConnectionTimeout(30_000)
                .withReadTimeout(60_000))
            .authenticate();
    return client.getToken();
  }

  private KeystoneAuth scope() {
    KeystoneAuth.AuthScope scope = creds.projectId() != null && !creds.projectId().isBlank()
        ? KeystoneAuth.AuthScope.project(project())
        : KeystoneAuth.AuthScope.project(project(), domain(creds.projectDomain()));
    return new KeystoneAuth(creds.username(), creds.password(), domain(creds.userDomain()),
        scope);
  }

  private Identifier project() {
    return creds.projectId() != null && !creds.projectId().isBlank()
        ? Identifier.byId(creds.projectId())
        : Identifier.byName(creds.projectName());
  }

  /** "default" is the ID of Keystone's built-in domain; anything else is taken as a name. */
  private static Identifier domain(String d) {
    return "default".equals(d) ? Identifier.byId(d) : Identifier.byName(d);
  }

  private static Facing facing(String iface) {
    Facing f = Facing.value(iface.replace("URL", ""));
    return f == null ? Facing.PUBLIC : f;
  }

  static String identityV3Url(String authUrl) {
    String u = authUrl.endsWith("/") ? authUrl.substring(0, authUrl.length() - 1) : authUrl;
    return u.endsWith("/v3") ? u : u + "/v3";
  }

  private static CloudSession toSession(Token token) {
    List<CloudSession.CatalogEntry> entries = new ArrayList<>();
    for (Service s : token.getCatalog() == null ? List.<Service>of() : token.getCatalog()) {
      for (Endpoint e : s.getEndpoints()) {
        entries.add(new CloudSession.CatalogEntry(
            s.getType(), e.getIface() == null ? "public" : e.getIface().value(),
            e.getRegion() != null ? e.getRegion() : e.getRegionId(), e.getUrl().toString()));
      }
    }
    Instant expires = token.getExpires() == null ? null : token.getExpires().toInstant();
    String projectId = token.getProject() == null ? null : token.getProject().getId();
    return new CloudSession(token.getId(), projectId, expires, entries);
  }
}
