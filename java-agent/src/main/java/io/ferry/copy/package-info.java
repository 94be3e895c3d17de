/**
 * The copy engine: drive-mirror-style copy between two {@link io.ferry.device.BlockDevice}s.
 *
 * <pre>
 *  job layer ──CopyPlan──▶ CopyEngine ──▶ CopyRun (phases, on the engine's own thread)
 *                 │            │             ├─ ChunkCopier ×parallelism (Workers: one buffer each)
 *                 │            │             └─ Verifier (byte compare, repair by recopy)
 *                 │            └─ Ticker: progress ~2/s, flush + checkpoint ~1/s
 *                 ├─ ChangeFeed: TapChangeFeed (WriteTap + DirtyMap), RBD snapshot diffs
 *                 └─ Throttle: TokenBucket, Throttle.all(job, host)
 * </pre>
 *
 * <p>Nothing here knows a backend by name or imports gRPC, jobs or libvirt.
 */
package io.ferry.copy;
