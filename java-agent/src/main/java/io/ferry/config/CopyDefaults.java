package io.ferry.config;

import com.fasterxml.jackson.databind.annotation.JsonDeserialize;

/**
 * What a copy uses when its request leaves a knob at 0.
 *
 * @param chunkSize bytes per read/write request
 * @param parallelism requests in flight per job
 */
public record CopyDefaults(
    @JsonDeserialize(using = SizeDeserializers.Size.class) Long chunkSize, Integer parallelism) {

  public static final long DEFAULT_CHUNK_SIZE = 4L << 20;
  public static final int DEFAULT_PARALLELISM = 4;

  public CopyDefaults {
    chunkSize = chunkSize == null ? DEFAULT_CHUNK_SIZE : chunkSize;
    parallelism = parallelism == null ? DEFAULT_PARALLELISM : parallelism;
  }

  public static CopyDefaults defaults() {
    return new CopyDefaults(null, null);
  }
}
