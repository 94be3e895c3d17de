package io.ferry.cloud;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;

/**
 * A local stand-in for Keystone v3, Cinder v3 and Nova on 127.0.0.1: the shapes of their
 * answers follow the API references and Zed's view builders (cinder/api/v2/views/volumes.py,
 * v3/views/attachments.py, contrib/services.py, views/scheduler_stats.py; nova's
 * compute/volumes.py and services.py), microversion headers included. State lives in a
 * {@link FakeCloudModel}.
 */
final class FakeOpenStack implements AutoCloseable {

  static final String PASSWORD = "s3cr3t-Pa55word";
  static final String PROJECT_ID = "0c4e939acacf4376bdcd1129f1a054ad";
  static final ObjectMapper JSON = new ObjectMapper();

  final FakeCloudModel model = new FakeCloudModel();
  final List<String> requests = new CopyOnWriteArrayList<>();
  final List<String> microversions = new CopyOnWriteArrayList<>();
  private final HttpServer server;
  private final String scheme;
  private final String token = "gAAAA" + UUID.randomUUID().toString().replace("-", "");
  volatile int tokensIssued;

  FakeOpenStack() throws IOException {
    this(null);
  }

  /** Over HTTPS with this server context, when not null. */
  FakeOpenStack(javax.net.ssl.SSLContext tls) throws IOException {
    InetSocketAddress addr = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
    if (tls == null) {
      server = HttpServer.create(addr, 0);
    } else {
      com.sun.net.httpserver.HttpsServer https = com.sun.net.httpserver.HttpsServer.create(addr, 0);
      https.setHttpsConfigurator(new com.sun.net.httpserver.HttpsConfigurator(tls));
      server = https;
    }
    scheme = tls == null ? "http" : "https";
    server.createContext("/", this::handle);
    server.setExecutor(Executors.newFixedThreadPool(4));
    server.start();
  }

  String base() {
    return scheme + "://127.0.0.1:" + server.getAddress().getPort();
  }

  String authUrl() {
    return base() + "/identity/v3";
  }

  String token() {
    return token;
  }

  CloudCredentials credentials() {
    return new CloudCredentials(authUrl(), "admin", PASSWORD, "Default", "admin", null,
        "Default", "RegionOne", "public", null, true);
  }

  @Override
  public void close() {
    server.stop(0);
    ((java.util.concurrent.ExecutorService) server.getExecutor()).shutdownNow();
  }

  private void handle(HttpExchange ex) throws IOException {
    try (ex) {
      String method = ex.getRequestMethod();
      URI uri = ex.getRequestURI();
      String body = new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
      requests.add(method + " " + uri + (body.isEmpty() ? "" : " " + body));
      String path = uri.getPath();
      if (path.equals("/identity/v3/auth/tokens") && method.equals("POST")) {
        keystone(ex, body);
        return;
      }
      if (!token.equals(ex.getRequestHeaders().getFirst("X-Auth-Token"))) {
        send(ex, 401, error("error", "The request you have made requires authentication."));
        return;
      }
      synchronized (model) {
        if (path.startsWith("/volume/v3/" + PROJECT_ID + "/")) {
          cinder(ex, method, path.substring(("/volume/v3/" + PROJECT_ID).length()),
              query(uri), body);
        } else if (path.startsWith("/compute/v2.1/")) {
          nova(ex, method, path.substring("/compute/v2.1".length()), query(uri));
        } else {
          send(ex, 404, error("itemNotFound", "no such endpoint " + path));
        }
      }
    } catch (RuntimeException e) {
      e.printStackTrace();
      send(ex, 500, error("computeFault", String.valueOf(e)));
    }
  }

  // ---- Keystone ------------------------------------------------------------------------------

  private void keystone(HttpExchange ex, String body) throws IOException {
    JsonNode auth = JSON.readTree(body).path("auth");
    JsonNode pw = auth.path("identity").path("password").path("user");
    if (!PASSWORD.equals(pw.path("password").asText())
        || !"admin".equals(pw.path("name").asText())) {
      send(ex, 401, error("error", "The request you have made requires authentication."));
      return;
    }
    tokensIssued++;
    ObjectNode t = JSON.createObjectNode();
    ObjectNode tok = t.putObject("token");
    tok.putArray("methods").add("password");
    tok.put("expires_at", "2099-01-01T00:00:00.000000Z");
    tok.put("issued_at", "2026-11-22T04:00:00.000000Z");
    tok.putArray("audit_ids").add("3T2dc1CGQxyJsHdDu1xkcw");
    ObjectNode user = tok.putObject("user");
    user.put("id", "ee4dfb6e5540447cb3741905149d9b6e").put("name", "admin");
    user.putObject("domain").put("id", "default").put("name", "Default");
    ObjectNode project = tok.putObject("project");
    project.put("id", PROJECT_ID).put("name", "admin");
    project.putObject("domain").put("id", "default").put("name", "Default");
    tok.put("is_domain", false);
    tok.putArray("roles").addObject().put("id", "51cc68287d524c759f47c811e6463340")
        .put("name", "admin");
    ArrayNode catalog = tok.putArray("catalog");
    service(catalog, "volumev3", "cinderv3", base() + "/volume/v3/" + PROJECT_ID);
    service(catalog, "compute", "nova", base() + "/compute/v2.1");
    service(catalog, "identity", "keystone", base() + "/identity");
    ex.getResponseHeaders().add("X-Subject-Token", token);
    send(ex, 201, t);
  }

  private static void service(ArrayNode catalog, String type, String name, String url) {
    ObjectNode s = catalog.addObject();
    s.put("id", UUID.randomUUID().toString().replace("-", "")).put("type", type)
        .put("name", name);
    ArrayNode eps = s.putArray("endpoints");
    for (String iface : new String[] {"public", "internal", "admin"}) {
      eps.addObject().put("id", UUID.randomUUID().toString().replace("-", ""))
          .put("interface", iface).put("region", "RegionOne").put("region_id", "RegionOne")
          .put("url", url);
    }
  }

  // ---- Cinder --------------------------------------------------------------------------------

  private void cinder(HttpExchange ex, String method, String path, Map<String, String> q,
      String body) throws IOException {
    String mv = ex.getRequestHeaders().getFirst("OpenStack-API-Version");
    microversions.add("cinder " + mv);
    String version = mv == null ? "3.0" : mv.replace("volume", "").trim();
    ex.getResponseHeaders().add("OpenStack-API-Version", "volume " + version);
    ex.getResponseHeaders().add("Vary", "OpenStack-API-Version");
    String[] parts = path.substring(1).split("/");
    FakeCinder cinder = new FakeCinder(model);
    if (method.equals("DELETE")) {
      send(ex, 405, error("badRequest", "the fake refuses every DELETE"));
    } else if (parts[0].equals("attachments") && minor(version) < 27) {
      // cinder/api/openstack/wsgi.py: an action below its min microversion is not found
      send(ex, 404, error("itemNotFound", "The resource could not be found."));
    } else if (method.equals("POST") && parts.length == 3 && parts[2].equals("action")) {
      String err = cinder.action(parts[1], JSON.readTree(body));
      if (err == null) {
        send(ex, 202, null);
      } else {
        send(ex, 400, error("badRequest", err));
      }
    } else {
      JsonNode answer = cinder.get(parts, q, minor(version));
      if (answer == null) {
        send(ex, 404, error("itemNotFound", "Volume " + path + " could not be found."));
      } else {
        send(ex, 200, answer);
      }
    }
  }

  // ---- Nova ----------------------------------------------------------------------------------

  private void nova(HttpExchange ex, String method, String path, Map<String, String> q)
      throws IOException {
    String mv = ex.getRequestHeaders().getFirst("X-OpenStack-Nova-API-Version");
    microversions.add("nova " + mv);
    String version = mv == null ? "2.1" : mv;
    ex.getResponseHeaders().add("X-OpenStack-Nova-API-Version", version);
    ex.getResponseHeaders().add("OpenStack-API-Version", "compute " + version);
    ex.getResponseHeaders().add("Vary", "OpenStack-API-Version, X-OpenStack-Nova-API-Version");
    JsonNode answer = new FakeNova(model).get(path.substring(1).split("/"), q, minor(version));
    if (answer == null || !method.equals("GET")) {
      send(ex, 404, error("itemNotFound", "Instance could not be found."));
    } else {
      send(ex, 200, answer);
    }
  }

  // ---- helpers -------------------------------------------------------------------------------

  static int minor(String version) {
    String[] p = version.split("\\.");
    return p.length < 2 ? 0 : Integer.parseInt(p[1]);
  }

  private static Map<String, String> query(URI uri) {
    Map<String, String> q = new java.util.HashMap<>();
    if (uri.getRawQuery() != null) {
      for (String kv : uri.getRawQuery().split("&")) {
        String[] p = kv.split("=", 2);
        q.put(java.net.URLDecoder.decode(p[0], StandardCharsets.UTF_8),
            p.length > 1 ? java.net.URLDecoder.decode(p[1], StandardCharsets.UTF_8) : "");
      }
    }
    return q;
  }

  static ObjectNode error(String kind, String message) {
    ObjectNode n = JSON.createObjectNode();
    n.putObject(kind).put("message", message).put("code", 400);
    return n;
  }

  private static void send(HttpExchange ex, int code, JsonNode body) throws IOException {
    byte[] b = body == null ? new byte[0] : JSON.writeValueAsBytes(body);
    ex.getResponseHeaders().add("Content-Type", "application/json");
    ex.sendResponseHeaders(code, b.length == 0 ? -1 : b.length);
    if (b.length > 0) {
      ex.getResponseBody().write(b);
    }
  }
}
