package io.ferry.cloud;

/**
 * One pool as Cinder's scheduler sees it ({@code scheduler-stats/get_pools?detail=true}).
 *
 * @param freeCapacityGb free space; negative when the backend reports "infinite" or "unknown"
 * @param backendState "up" or "down" as the driver reports it (absent means up)
 */
public record Pool(String name, double freeCapacityGb, double totalCapacityGb,
    String backendState, String volumeBackendName) {

  /** The "host@backend" part of the pool name. */
  public String backend() {
    return name.split("#", 2)[0];
  }
}
