/**
 * Disk image formats as block devices layered over a byte store (a raw file, an RBD image):
 * qcow2 (read v2/v3, write v3), vmdk (read monolithicSparse, streamOptimized, monolithicFlat;
 * write streamOptimized), vhd / qemu "vpc" (fixed and dynamic, read and write), vhdx (read).
 * {@link io.ferry.format.Formats} opens and creates them; {@link io.ferry.format.FormatProbe}
 * tells them apart by magic bytes.
 *
 * <h2>Images are untrusted input</h2>
 *
 * <p>Every header field and table is vetted at open, before any guest data is read: tables inside
 * the file, aligned, within a 64 MiB memory limit (L1, refcount table, BAT, grain tables), not
 * overlapping each other, and every data cluster/grain/block inside the file and off the
 * metadata ({@link io.ferry.format.MetadataMap}); cluster, grain and block sizes and virtual
 * sizes in range. A rejected image is a {@link io.ferry.error.FerryException}: DATA_LOSS when it
 * contradicts its format ({@link io.ferry.format.FormatErrors#corrupt}), INVALID_ARGUMENT when it
 * uses a feature Ferry will not follow ({@link io.ferry.format.FormatErrors#refused}): backing
 * files, differencing disks and parent locators, external data files, encryption, a vhdx log
 * that needs replaying, unknown incompatible features.
 *
 * <p>A monolithicFlat vmdk descriptor names its data file: Ferry follows exactly one FLAT extent
 * whose name is a plain file name (no '/', no '..', not absolute), opened through the caller's
 * {@link io.ferry.format.SiblingFiles} in the descriptor's own directory (the endpoint layer also
 * refuses a symlink out of it). Everything else that names another file is refused.
 *
 * <h2>Fuzzing</h2>
 *
 * <p>{@code FormatFuzzTest} mutates a qemu-img made corpus of every format (seeded, so a failing
 * case is replayed from its seed) and asserts every case ends in data, a FerryException or an
 * IOException, within a per-case timeout. CI runs 1500 cases; run longer with
 * {@code -Dferry.fuzz.iterations=100000 -Dferry.fuzz.seed=7}.
 *
 * <p>This package never imports gRPC, protobuf, job or libvirt classes.
 */
package io.ferry.format;
