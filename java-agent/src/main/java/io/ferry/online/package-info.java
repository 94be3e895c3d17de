/**
 * Online conversion ({@code ferry convert --online}, CopyOptions.online): the destination is
 * served over NBD as soon as the job starts and is usable before the conversion ends.
 *
 * <ul>
 *   <li>{@code RegionMap}: which regions (256 KiB) are converted ("done") and which a client
 *       wrote; striped locks make check-then-write atomic per region.
 *   <li>{@code OnlineDevice}: what NBD clients see. A read of a region not done converts it from
 *       the source first; a write converts its region first unless it covers all of it, then
 *       marks it written.
 *   <li>{@code EngineView}: what the copy engine's background pass writes to (throttled,
 *       cancellable, checkpointed like any copy job). It never writes a done region; a partial
 *       write of a region not done converts the whole region instead. Its reads return the
 *       source for regions clients wrote, so the engine's verification compares against the
 *       source only the regions no client wrote.
 *   <li>{@code HeldSourceFeed}: holds the source's writers for the whole conversion (RBD sources
 *       must be snapshots): the source never changes and is never written.
 *   <li>{@code RegionMapFile}: the map on disk ({@code <journal_dir>/online/<job>.map}). Saved
 *       on every NBD FLUSH/FUA and engine checkpoint, after the destination was flushed and as
 *       it was before that flush, so a crash never forgets a write a client was told is
 *       durable; an unflushed write may be lost, as NBD allows. A damaged map is DATA_LOSS,
 *       never a fresh start. After an agent restart the job resumes, re-exports at the same
 *       address and always verifies.
 * </ul>
 *
 * <p>Limits: after the job completes the export owns the destination device; while it serves,
 * open the destination only through the export (a second opener would get a second codec
 * instance on the same file).
 *
 * <p>After the job completes its export serves on across agent restarts and crashes: {@code
 * ServedExportFile} ({@code <journal_dir>/online/<job>.export}) records its id and bound address
 * when the job commits, the next start serves the destination again there (in the format the
 * job wrote, never probed), and StopExport deletes the record. If the address is taken at start
 * the job stays COMPLETED and an event on it says so; free the address and restart, or serve
 * the destination with {@code ferry export}. The job is not purged while its export serves.
 */
package io.ferry.online;
