package io.ferry.cloud;

/**
 * One row of {@code os-services} (Cinder or Nova).
 *
 * @param status enabled or disabled (the operator's choice)
 * @param state up or down (heartbeat)
 * @param backendState Cinder volume services only (3.49+): the driver's own view, may be null
 */
public record ServiceStatus(String binary, String host, String zone, String status,
    String state, String backendState, boolean frozen, boolean forcedDown) {

  public boolean usable() {
    return "enabled".equals(status) && "up".equals(state) && !frozen && !forcedDown
        && (backendState == null || "up".equals(backendState));
  }
}
