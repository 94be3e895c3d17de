package io.ferry.cloud;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.MissingNode;
import io.ferry.error.FerryException;
import io.ferry.error.Reason;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The thin client for what openstack4j lacks: JSON over {@code java.net.http} with the token
 * and catalog of a {@link SessionSource}, and per-request microversion headers. Safe to use from
 * any thread. A 401 is retried once with a fresh token.
 */
public final class OpenStackHttp {

  private static final Logger LOG = LoggerFactory.getLogger(OpenStackHttp.class);
  static final ObjectMapper JSON = new ObjectMapper();

  /** The services Ferry talks to, with the catalog types and the microversion each call uses. */
  public enum Api {
    /** Cinder v3; 3.63 gives attachments (3.27), backend_state (3.49) and volume_type_id. */
    VOLUME(new String[] {"volumev3", "block-storage", "volume"},
        new String[] {"OpenStack-API-Version", "volume 3.63"}),
    /** Nova; 2.89 gives attachment_id and bdm_uuid in os-volume_attachments. */
    COMPUTE(new String[] {"compute"},
        new String[] {"X-OpenStack-Nova-API-Version", "2.89",
            "OpenStack-API-Version", "compute 2.89"});

    final String[] catalogTypes;
    final String[] headers;

    Api(String[] catalogTypes, String[] headers) {
      this.catalogTypes = catalogTypes;
      this.headers = headers;
    }
  }

  private final SessionSource sessions;
  private final HttpClient http;

  public OpenStackHttp(SessionSource sessions) {
    this.sessions = sessions;
    this.http = HttpClient.newBuilder()
        .sslContext(sessions.sslContext())
        .connectTimeout(Duration.ofSeconds(30))
        .build();
  }

  /** The project id of the token (Cinder URLs may need it). */
  public String projectId() {
    return sessions.session().projectId();
  }

  public JsonNode get(Api api, String path) {
    return send(api, "GET", path, null);
  }

  public JsonNode post(Api api, String path, Object body) {
    return send(api, "POST", path, body);
  }

  private JsonNode send(Api api, String method, String path, Object body) {
    HttpResponse<String> r = exchange(api, method, path, body);
    if (r.statusCode() == 401) {
      sessions.invalidate();
      r = exchange(api, method, path, body);
    }
    if (r.statusCode() / 100 != 2) {
      throw failure(api, method, path, r);
    }
    try {
      return r.body() == null || r.body().isBlank() ? MissingNode.getInstance()
          : JSON.readTree(r.body());
    } catch (IOException e) {
      throw new FerryException(Reason.UNAVAILABLE,
          method + " " + api + " " + path + ": the answer is not JSON: check the endpoint");
    }
  }

  private HttpResponse<String> exchange(Api api, String method, String path, Object body) {
    CloudSession s = sessions.session();
    String base = s.endpoint(sessions.iface(), sessions.region(), api.catalogTypes);
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path))
        .timeout(Duration.ofSeconds(60))
        .header("X-Auth-Token", s.tokenId())
        .header("Accept", "application/json");
    for (int i = 0; i < api.headers.length; i += 2) {
      b.header(api.headers[i], api.headers[i + 1]);
    }
    try {
      if (body == null) {
        b.method(method, HttpRequest.BodyPublishers.noBody());
      } else {
        b.header("Content-Type", "application/json")
            .method(method, HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body)));
      }
      LOG.debug("{} {} {}", method, api, path);
      return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new FerryException(Reason.UNAVAILABLE,
          method + " " + base + path + " failed (" + e.getClass().getSimpleName() + ": "
              + e.getMessage() + "): check that the service is reachable", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new FerryException(Reason.CANCELLED, method + " " + path + " interrupted");
    }
  }

  private static FerryException failure(Api api, String method, String path,
      HttpResponse<String> r) {
    int code = r.statusCode();
    Reason reason = switch (code) {
      case 400 -> Reason.INVALID_ARGUMENT;
      case 401, 403 -> Reason.PERMISSION_DENIED;
      case 404 -> Reason.NOT_FOUND;
      case 409 -> Reason.FAILED_PRECONDITION;
      default -> code >= 500 ? Reason.UNAVAILABLE : Reason.INTERNAL;
    };
    return new FerryException(reason, method + " " + api + " " + path + " answered HTTP " + code
        + ": " + errorMessage(r.body()));
  }

  /** OpenStack errors look like {"badRequest": {"message": "...", "code": 400}}. */
  static String errorMessage(String body) {
    try {
      JsonNode n = JSON.readTree(body == null ? "" : body);
      if (n != null && n.isObject() && n.size() == 1) {
        JsonNode inner = n.elements().next();
        if (inner.hasNonNull("message")) {
          return inner.get("message").asText();
        }
      }
    } catch (IOException | RuntimeException e) {
      // not JSON: fall through
    }
    String b = body == null ? "" : body.strip();
    return b.length() > 200 ? b.substring(0, 200) + "..." : b;
  }
}
