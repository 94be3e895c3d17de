package io.ferry.copy;

import io.ferry.device.BlockDevice;

/**
 * How to copy: the destination, the change feed that yields the source's passes, and the knobs.
 *
 * @param feed yields what to read in each pass (the source itself is {@code feed}'s business)
 * @param destination where to write; at least as large as the source
 * @param throttle bandwidth cap(s) every data byte passes through; {@link Throttle#NONE} for none
 * @param chunkSize bytes per request: a multiple of 512 from 64 KiB to 64 MiB
 * @param parallelism requests in flight
 * @param keepSparse true: zero chunks become holes on the destination
 * @param verify true: compare both sides after the final pass
 * @param convergedBytes stop merging and run the final pass once a pass has less than this dirty
 * @param maxMergePasses run the final pass after this many merge passes whatever remains
 */
public record CopyPlan(
    ChangeFeed feed,
    BlockDevice destination,
    Throttle throttle,
    long chunkSize,
    int parallelism,
    boolean keepSparse,
    boolean verify,
    long convergedBytes,
    int maxMergePasses) {

  public static final long DEFAULT_CHUNK = 4L << 20;
  public static final int DEFAULT_PARALLELISM = 8;
}
