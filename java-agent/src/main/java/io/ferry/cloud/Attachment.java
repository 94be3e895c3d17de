package io.ferry.cloud;

/**
 * A record of Cinder's attachments API ({@code /attachments}, microversion 3.27 and later):
 * unlike the volume's own list, it also shows attachments being made or removed.
 *
 * @param status attach_status: attached, attaching, detaching, reserved, error_attaching, ...
 */
public record Attachment(String id, String status, String instance, String volumeId) {}
