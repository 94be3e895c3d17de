package io.ferry.cloud;

import io.ferry.error.FerryException;
import io.ferry.error.Reason;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import javax.net.ssl.SSLContext;
import org.openstack4j.core.transport.ObjectMapperSingleton;
import org.openstack4j.model.identity.v3.Token;
import org.openstack4j.openstack.identity.v3.domain.KeystoneAuth;
import org.openstack4j.openstack.identity.v3.domain.KeystoneToken;

/**
 * openstack4j's Keystone v3 token request (its {@link KeystoneAuth} body, its
 * {@link KeystoneToken} model and catalog) sent over java.net.http, for the TLS settings its
 * OkHttp connector cannot apply.
 */
final class KeystoneTokenRequest {

  private KeystoneTokenRequest() {}

  static Token post(CloudCredentials creds, SSLContext ssl, KeystoneAuth auth) {
    try {
      String body = ObjectMapperSingleton.getContext(KeystoneAuth.class).writeValueAsString(auth);
      HttpClient http = HttpClient.newBuilder().sslContext(ssl)
          .connectTimeout(Duration.ofSeconds(30)).build();
      HttpRequest req = HttpRequest.newBuilder(
              URI.create(KeystoneLogin.identityV3Url(creds.authUrl()) + "/auth/tokens"))
          .timeout(Duration.ofSeconds(60))
          .header("Content-Type", "application/json")
          .header("Accept", "application/json")
          .POST(HttpRequest.BodyPublishers.ofString(body))
          .build();
      HttpResponse<String> r = http.send(req, HttpResponse.BodyHandlers.ofString());
      if (r.statusCode() != 201 && r.statusCode() != 200) {
        throw new FerryException(Reason.PERMISSION_DENIED, "Keystone at " + creds.authUrl()
            + " refused user '" + creds.username() + "' (HTTP " + r.statusCode() + ": "
            + Secrets.scrub(OpenStackHttp.errorMessage(r.body()), creds.password())
            + "): check the credentials, project and domain of the cloud");
      }
      KeystoneToken token = ObjectMapperSingleton.getContext(KeystoneToken.class)
          .readValue(r.body(), KeystoneToken.class);
      token.setId(r.headers().firstValue("X-Subject-Token").orElseThrow(() ->
          new FerryException(Reason.UNAVAILABLE, "Keystone at " + creds.authUrl()
              + " answered without X-Subject-Token: check auth_url")));
      return token;
    } catch (IOException e) {
      throw new FerryException(Reason.UNAVAILABLE, "Keystone at " + creds.authUrl()
          + " unreachable (" + e.getClass().getSimpleName() + ": " + e.getMessage()
          + "): check auth_url and the CA file", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new FerryException(Reason.CANCELLED, "Keystone authentication interrupted");
    }
  }
}
