/**
 * Block endpoints behind one small interface ({@link io.ferry.device.BlockDevice}) and the
 * decorators that wrap any of them: {@link io.ferry.device.WriteTap} (reports writes, holds
 * writers), {@link io.ferry.device.ThrottledDevice}, {@link io.ferry.device.ReadOnlyDevice}.
 * Backends: {@code file} (raw files), {@code rbd}, {@link io.ferry.device.MemoryDevice} (tests,
 * demo); format codecs live in {@code io.ferry.format}.
 */
package io.ferry.device;
