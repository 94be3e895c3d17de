package io.ferry.device.rbd;

import io.ferry.copy.Throttle;
import io.ferry.device.Extent;
import io.ferry.error.FerryException;
import io.ferry.error.Reason;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Carries an image's snapshots over to a copy, as {@code rbd deep cp} does: oldest first, each
 * snapshot's data written as the diff from the previous one (holes stay holes, data that became
 * zero is deallocated), then the snapshot made on the destination with the source's protection.
 * The head is the copy engine's business afterwards, as the diff from the newest snapshot.
 *
 * <p>Resumable: snapshots the destination has already are skipped; they must be the source's
 * first ones in the same order. Rewriting a half-written diff is harmless, because it writes the
 * same bytes again. Ferry's own temporary snapshots ({@code ferry-<job>-<n>}) are never carried.
 */
public final class RbdSnapshotCopier {

  private static final Logger LOG = LoggerFactory.getLogger(RbdSnapshotCopier.class);
  private static final Pattern TEMPORARY = Pattern.compile("ferry-[A-Za-z0-9_-]{1,64}-[0-9]{1,9}");
  private static final int REQUEST = 4 << 20;
  private static final int ZERO_BLOCK = 64 << 10;
  private static final ByteBuffer ZEROES = ByteBuffer.allocateDirect(ZERO_BLOCK).asReadOnlyBuffer();

  /** What the copier reports, and how it learns to stop. */
  public interface Listener {
    /** True when the job is cancelled or the agent stops: the copier ends at once. */
    boolean stopping();

    /** Snapshot {@code name} now exists on the destination; {@code bytes} of its diff copied. */
    void carried(String name, long bytes, boolean isProtected);
  }

  private final RbdPool sourcePool;
  private final String sourceImage;
  private final RbdImage destination;
  private final Throttle throttle;
  private final Listener listener;

  /** {@code destination} is open for writing on the image Ferry created for this copy. */
  public RbdSnapshotCopier(RbdPool sourcePool, String sourceImage, RbdImage destination,
      Throttle throttle, Listener listener) {
    this.sourcePool = sourcePool;
    this.sourceImage = sourceImage;
    this.destination = destination;
    this.throttle = throttle;
    this.listener = listener;
  }

  /** True for a snapshot name Ferry's change feeds make (never carried, never a base). */
  public static boolean isTemporary(String snapshot) {
    return TEMPORARY.matcher(snapshot).matches();
  }

  /** The image's snapshots other than Ferry's temporary ones, oldest first. */
  public static List<RbdSnapshot> userSnapshots(RbdImage image) {
    List<RbdSnapshot> out = new ArrayList<>();
    for (RbdSnapshot s : image.snapshots()) {
      if (!isTemporary(s.name())) {
        out.add(s);
      }
    }
    return out;
  }

  /**
   * Carries every snapshot the destination lacks, then sets the destination's size back to the
   * source head's. Returns the newest snapshot's name (the base of the head copy), or null if the
   * source has none.
   */
  public String run() throws InterruptedException {
    List<RbdSnapshot> wanted;
    long headSize;
    boolean[] protectedFlags;
    try (RbdImage head = sourcePool.openReadOnly(sourceImage, null)) {
      headSize = head.size();
      wanted = userSnapshots(head);
      protectedFlags = new boolean[wanted.size()];
      for (int i = 0; i < wanted.size(); i++) {
        protectedFlags[i] = head.isSnapshotProtected(wanted.get(i).name());
      }
    }
    List<RbdSnapshot> have = destination.snapshots();
    checkPrefix(wanted, have);
    for (int i = have.size(); i < wanted.size(); i++) {
      String previous = i == 0 ? null : wanted.get(i - 1).name();
      carry(previous, wanted.get(i), protectedFlags[i]);
    }
    if (destination.size() != headSize) {
      destination.resize(headSize);
    }
    return wanted.isEmpty() ? null : wanted.get(wanted.size() - 1).name();
  }

  private void checkPrefix(List<RbdSnapshot> wanted, List<RbdSnapshot> have) {
    boolean ok = have.size() <= wanted.size();
    for (int i = 0; ok && i < have.size(); i++) {
      ok = have.get(i).name().equals(wanted.get(i).name());
    }
    if (!ok) {
      throw new FerryException(Reason.FAILED_PRECONDITION, destination.describe() + " has snapshots "
          + names(have) + " that are not the first of the source's " + names(wanted)
          + " (a source snapshot was removed or renamed during the copy); cancel the job and copy again");
    }
  }

  private void carry(String previous, RbdSnapshot snap, boolean isProtected)
      throws InterruptedException {
    long bytes = 0;
    try (RbdImage from = sourcePool.openReadOnly(sourceImage, snap.name())) {
      if (destination.size() != snap.size()) {
        destination.resize(snap.size());
      }
      ByteBuffer buf = ByteBuffer.allocateDirect(REQUEST);
      for (Extent e : from.diff(previous, 0, snap.size())) {
        bytes += copyExtent(from, e, buf);
      }
    }
    destination.flush();
    destination.createSnapshot(snap.name());
    if (isProtected) {
      destination.protectSnapshot(snap.name());
    }
    LOG.info("{}: carried snapshot {} ({} bytes from {})", destination.describe(), snap.name(),
        bytes, previous == null ? "the start" : "@" + previous);
    listener.carried(snap.name(), bytes, isProtected);
  }

  /** Copies one diff extent; returns the bytes written as data. */
  private long copyExtent(RbdImage from, Extent e, ByteBuffer buf) throws InterruptedException {
    long data = 0;
    for (long pos = e.offset(); pos < e.end(); ) {
      if (listener.stopping() || Thread.currentThread().isInterrupted()) {
        throw new InterruptedException("stopped while carrying snapshots to " + destination.describe());
      }
      int n = (int) Math.min(REQUEST - (pos % REQUEST), e.end() - pos);
      throttle.acquire(n);
      buf.clear().limit(n);
      from.read(pos, buf);
      data += writeRuns(pos, buf.flip());
      pos += n;
    }
    return data;
  }

  /** Writes {@code buf} at {@code offset}: zero 64 KiB blocks as holes, the rest as data. */
  private long writeRuns(long offset, ByteBuffer buf) {
    long data = 0;
    int n = buf.limit();
    int runStart = 0;
    boolean runZero = isZero(buf, 0, Math.min(n, ZERO_BLOCK));
    for (int pos = 0; pos < n; pos += ZERO_BLOCK) {
      boolean zero = isZero(buf, pos, Math.min(n, pos + ZERO_BLOCK));
      if (zero != runZero) {
        data += writeRun(offset, buf, runStart, pos, runZero);
        runStart = pos;
        runZero = zero;
      }
    }
    return data + writeRun(offset, buf, runStart, n, runZero);
  }

  private long writeRun(long offset, ByteBuffer buf, int from, int to, boolean zero) {
    if (zero) {
      destination.writeZeroes(offset + from, to - from, false);
      return 0;
    }
    destination.write(offset + from, buf.duplicate().position(from).limit(to).slice());
    return to - from;
  }

  private static boolean isZero(ByteBuffer buf, int from, int to) {
    return buf.duplicate().position(from).limit(to).mismatch(ZEROES.duplicate().limit(to - from)) == -1;
  }

  private static List<String> names(List<RbdSnapshot> snaps) {
    return snaps.stream().map(RbdSnapshot::name).toList();
  }
}
