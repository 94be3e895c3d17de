package io.ferry.cloud;

/** One entry of Nova's {@code /servers/{id}/os-volume_attachments} (2.89 fields). */
public record ServerVolume(String volumeId, String serverId, String device,
    String attachmentId, String bdmUuid) {}
