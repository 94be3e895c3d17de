package io.ferry.copy;

import io.ferry.device.Extent;
import java.util.BitSet;
import java.util.List;
import java.util.Map;

/**
 * What a copy has durably achieved, persisted by the job layer so that a run after a crash
 * resumes instead of starting over.
 *
 * <p>Correctness never depends on the checkpoint being current: it only lists work already done
 * (destination flushed before the checkpoint is emitted). Writes acknowledged after the last
 * checkpoint are found again by verification, which recopies any chunk that differs.
 *
 * @param phase the phase the run was in
 * @param pass merge pass number (0 during SYNC)
 * @param chunkSize the chunk size the bitmap is in
 * @param syncedChunks chunks of the full-sync pass already copied (flushed)
 * @param pendingDirty regions known to be dirty and not yet merged
 * @param bytesCopied data bytes copied so far, all passes and runs
 * @param feedState the change feed's own state ({@link ChangeFeed#state()})
 */
public record CopyCheckpoint(
    CopyPhase phase,
    int pass,
    long chunkSize,
    BitSet syncedChunks,
    List<Extent> pendingDirty,
    long bytesCopied,
    Map<String, String> feedState) {

  public static CopyCheckpoint initial(long chunkSize) {
    return new CopyCheckpoint(CopyPhase.SYNC, 0, chunkSize, new BitSet(), List.of(), 0, Map.of());
  }
}
