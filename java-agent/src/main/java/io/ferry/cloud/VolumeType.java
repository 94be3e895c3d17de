package io.ferry.cloud;

/**
 * A volume type.
 *
 * @param backendName extra_specs.volume_backend_name, or null when the type does not pin one
 */
public record VolumeType(String id, String name, String backendName) {}
