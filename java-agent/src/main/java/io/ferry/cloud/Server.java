package io.ferry.cloud;

/**
 * A Nova server, as far as moving its volumes goes.
 *
 * @param computeHost OS-EXT-SRV-ATTR:host (admin only; null when not visible)
 */
public record Server(String id, String name, String status, String computeHost) {}
