package io.ferry.cloud;

import io.ferry.error.FerryException;
import io.ferry.error.Reason;
import java.time.Instant;
import java.util.List;

/**
 * One Keystone token and its service catalog, captured as plain values so that any thread can
 * use them: openstack4j's client keeps its session in a thread-local, the thin HTTP client does
 * not. {@link #toString()} never shows the token.
 */
public record CloudSession(
    String tokenId, String projectId, Instant expiresAt, List<CatalogEntry> catalog) {

  public CloudSession {
    catalog = List.copyOf(catalog);
  }

  /** One endpoint of the catalog. */
  public record CatalogEntry(String serviceType, String iface, String region, String url) {}

  /**
   * The URL of the first endpoint of one of {@code types} (in order of preference) for the
   * interface and, when given, the region.
   */
  public String endpoint(String iface, String region, String... types) {
    for (String type : types) {
      for (CatalogEntry e : catalog) {
        if (e.serviceType().equals(type)
            && e.iface().equalsIgnoreCase(iface)
            && (region == null || region.isBlank() || region.equals(e.region()))) {
          return stripSlash(e.url());
        }
      }
    }
    throw new FerryException(
        Reason.NOT_FOUND,
        "no " + String.join("/", types) + " endpoint with interface " + iface
            + (region == null ? "" : " in region " + region)
            + " in the service catalog: check region_name and interface of the cloud");
  }

  boolean expiresWithin(java.time.Duration margin, Instant now) {
    return expiresAt != null && now.plus(margin).isAfter(expiresAt);
  }

  private static String stripSlash(String url) {
    return url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
  }

  @Override
  public String toString() {
    return "CloudSession[token=***, projectId=" + projectId + ", expiresAt=" + expiresAt
        + ", endpoints=" + catalog.size() + "]";
  }
}
