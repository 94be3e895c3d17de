package io.ferry.copy;

/**
 * A snapshot of a running copy, published often (at least every second while data moves).
 *
 * @param phase current phase
 * @param pass merge pass number (0 during SYNC)
 * @param bytesDone bytes of the current phase's work done
 * @param bytesTotal bytes of the current phase's work in all
 * @param dirtyBytes bytes written to the source and not yet merged
 * @param rateBytesPerSec recent data rate
 * @param bytesCopied data bytes copied in all passes (this run and earlier runs)
 * @param bytesWritten bytes written to the destination by this run
 * @param holeBytes source bytes skipped because they are holes
 * @param regionsMerged regions recopied because they were written during the copy
 */
public record CopyProgress(
    CopyPhase phase,
    int pass,
    long bytesDone,
    long bytesTotal,
    long dirtyBytes,
    long rateBytesPerSec,
    long bytesCopied,
    long bytesWritten,
    long holeBytes,
    long regionsMerged) {}
