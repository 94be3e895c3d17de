package io.ferry.journal;

import io.ferry.copy.CopyCheckpoint;
import io.ferry.copy.CopyPhase;
import io.ferry.device.Extent;
import io.ferry.journal.proto.Checkpoint;
import io.ferry.journal.proto.Range;
import com.google.protobuf.ByteString;
import java.util.BitSet;
import java.util.List;

/** Converts the copy engine's checkpoint to and from its journal form, losslessly. */
public final class CheckpointCodec {

  private CheckpointCodec() {}

  public static Checkpoint toProto(CopyCheckpoint cp) {
    Checkpoint.Builder b = Checkpoint.newBuilder()
        .setPhase(cp.phase().name())
        .setPass(cp.pass())
        .setChunkSize(cp.chunkSize())
        .setSyncedChunks(ByteString.copyFrom(cp.syncedChunks().toByteArray()))
        .setBytesCopied(cp.bytesCopied())
        .putAllFeedState(cp.feedState());
    for (Extent e : cp.pendingDirty()) {
      b.addPendingDirty(Range.newBuilder().setOffset(e.offset()).setLength(e.length()));
    }
    return b.build();
  }

  public static CopyCheckpoint fromProto(Checkpoint p) throws CorruptRecordException {
    CopyPhase phase;
    try {
      phase = CopyPhase.valueOf(p.getPhase());
    } catch (IllegalArgumentException e) {
      throw new CorruptRecordException("checkpoint has unknown phase '" + p.getPhase() + "'");
    }
    List<Extent> dirty = p.getPendingDirtyList().stream()
        .map(r -> new Extent(r.getOffset(), r.getLength()))
        .toList();
    return new CopyCheckpoint(phase, p.getPass(), p.getChunkSize(),
        BitSet.valueOf(p.getSyncedChunks().toByteArray()), dirty, p.getBytesCopied(),
        p.getFeedStateMap());
  }
}
