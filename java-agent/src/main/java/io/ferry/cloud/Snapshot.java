package io.ferry.cloud;

/** A Cinder snapshot (only what the checks need). */
public record Snapshot(String id, String volumeId, String status) {}
