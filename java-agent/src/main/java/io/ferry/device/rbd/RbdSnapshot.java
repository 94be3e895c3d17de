package io.ferry.device.rbd;

/** One snapshot of an image, as {@code rbd_snap_list} reports it. */
public record RbdSnapshot(long id, long size, String name) {}
