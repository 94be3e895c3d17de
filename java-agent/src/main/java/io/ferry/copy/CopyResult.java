package io.ferry.copy;

/**
 * The outcome of a copy that ran to the end.
 *
 * @param sourceSize bytes in the source
 * @param bytesCopied data bytes copied in all passes and runs
 * @param holeBytes source bytes kept as holes
 * @param regionsMerged regions recopied because they were written during the copy
 * @param passes merge passes run (including the final one)
 * @param verified true when verification ran and found both sides equal
 * @param bytesRepaired bytes recopied because verification found them different
 * @param elapsedNanos wall time of this run
 */
public record CopyResult(
    long sourceSize,
    long bytesCopied,
    long holeBytes,
    long regionsMerged,
    int passes,
    boolean verified,
    long bytesRepaired,
    long elapsedNanos) {}
