package io.ferry.job;

import io.ferry.device.BlockDevice;
import io.ferry.device.Extent;
import io.ferry.proto.v1.VerifyResponse;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.List;

/**
 * Compares two devices' data chunk by chunk. Chunks where neither device reports data are holes
 * on both sides and equal without reading.
 */
final class EndpointComparer {

  private final long chunk;

  EndpointComparer(long chunk) {
    this.chunk = chunk;
  }

  VerifyResponse compare(BlockDevice a, BlockDevice b) throws IOException {
    long sizeA = a.size();
    long sizeB = b.size();
    VerifyResponse.Builder r = VerifyResponse.newBuilder().setSizeA(sizeA).setSizeB(sizeB);
    if (sizeA != sizeB) {
      return r.setEqual(false).setFirstDifference(Math.min(sizeA, sizeB))
          .setDetail("sizes differ: a has " + sizeA + " bytes, b has " + sizeB).build();
    }
    ByteBuffer ba = ByteBuffer.allocateDirect((int) chunk);
    ByteBuffer bb = ByteBuffer.allocateDirect((int) chunk);
    long compared = 0;
    for (long off = 0; off < sizeA; off += chunk) {
      int len = (int) Math.min(chunk, sizeA - off);
      if (holeOnBoth(a, b, off, len)) {
        continue;
      }
      ba.clear().limit(len);
      bb.clear().limit(len);
      a.read(off, ba);
      b.read(off, bb);
      ba.flip();
      bb.flip();
      int at = ba.mismatch(bb);
      compared += len;
      if (at >= 0) {
        return r.setEqual(false).setBytesCompared(compared).setFirstDifference(off + at)
            .setDetail("data differs at byte " + (off + at)).build();
      }
    }
    return r.setEqual(true).setBytesCompared(compared)
        .setDetail("equal; " + compared + " bytes compared, the rest are holes on both sides")
        .build();
  }

  private static boolean holeOnBoth(BlockDevice a, BlockDevice b, long off, int len)
      throws IOException {
    return a.canExtents() && b.canExtents() && none(a.extents(off, len))
        && none(b.extents(off, len));
  }

  private static boolean none(List<Extent> extents) {
    return extents.stream().allMatch(e -> e.length() == 0);
  }
}
