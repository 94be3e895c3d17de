package io.ferry.device.rbd;

import io.ferry.copy.ChangeFeed;
import io.ferry.device.Extent;
import io.ferry.error.FerryException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A change feed over an RBD image other clients may write: each pass reads a snapshot Ferry takes
 * ({@code ferry-<job>-<n>}), and the regions to copy are the {@code rbd_diff_iterate2} diff from
 * the previous snapshot, which is then removed. The last pass reads a final snapshot, kept (the
 * engine verifies against it) until {@link #close()}, which removes every snapshot of this job
 * and never any other.
 *
 * <pre>
 *   start   : snap 1, pass = allocated extents of snap 1
 *   next    : snap n+1, pass = diff(snap n -> snap n+1), remove snap n
 *   next(last): the same, with the final snapshot
 *   close   : remove ferry-&lt;job&gt;-* (all of this job's, whatever a crash left)
 * </pre>
 *
 * <p>Resume: {@link #state()} names the current snapshot; {@link #start} continues from it if it
 * still exists, else from the newest snapshot of this job, else from a new one. Writes that fall
 * in a gap this leaves are found by the verification the engine runs on every resumed copy.
 */
public final class RbdSnapshotChangeFeed implements ChangeFeed {

  private static final Logger LOG = LoggerFactory.getLogger(RbdSnapshotChangeFeed.class);
  private static final long PENDING_REFRESH_NANOS = 1_000_000_000L;

  private final RbdPool pool;
  private final String imageName;
  private final boolean ownsPool;
  private String prefix;
  private RbdImage head;
  private RbdDevice view;
  private String current;
  private int serial;
  private String base;
  private volatile long pendingCache;
  private volatile long pendingAt;
  private boolean closed;

  /**
   * A feed on {@code pool}/{@code image}; {@code jobId} (letters, digits, '-', '_') makes this
   * job's snapshot names. The pool stays the caller's to close, after this feed.
   */
  public RbdSnapshotChangeFeed(RbdPool pool, String image, String jobId) {
    this(pool, image, jobId, false);
  }

  /**
   * A feed that closes {@code pool} when it closes. A null {@code jobId} gets a random one; a
   * resumed feed takes the prefix its {@link #state()} recorded, so it finds its snapshots.
   */
  public static RbdSnapshotChangeFeed owning(RbdPool pool, String image, String jobId) {
    return new RbdSnapshotChangeFeed(pool, image, jobId, true);
  }

  private RbdSnapshotChangeFeed(RbdPool pool, String image, String jobId, boolean ownsPool) {
    String id = jobId == null || jobId.isEmpty()
        ? Long.toHexString(java.util.concurrent.ThreadLocalRandom.current().nextLong() >>> 16)
        : jobId;
    this.pool = pool;
    this.imageName = image;
    this.prefix = prefixFor(id);
    this.ownsPool = ownsPool;
  }

  /** The snapshot-name prefix of job {@code jobId}: {@code ferry-<id>-}. */
  public static String prefixFor(String jobId) {
    String id = jobId.replaceAll("[^A-Za-z0-9_-]", "_");
    if (id.isEmpty() || id.length() > 64) {
      throw FerryException.invalid("job_id", "'" + jobId + "' cannot name a snapshot (1..64 characters)");
    }
    return "ferry-" + id + "-";
  }

  /**
   * Removes the snapshots job {@code jobId}'s feed left on {@code image} (a run that crashed and
   * was then cancelled never closes its feed); returns how many. Never touches other snapshots.
   */
  public static int removeLeftovers(RbdPool pool, String image, String jobId) {
    String prefix = prefixFor(jobId);
    int removed = 0;
    try (RbdImage head = pool.open(image, null)) {
      for (RbdSnapshot s : head.snapshots()) {
        String rest = s.name().startsWith(prefix) ? s.name().substring(prefix.length()) : "";
        if (rest.matches("[0-9]{1,9}")) {
          head.removeSnapshot(s.name());
          removed++;
        }
      }
    }
    return removed;
  }

  /**
   * Makes the first pass the diff from the source's snapshot {@code snapshot} (null: all
   * allocated data) instead of all allocated data: for a destination that already holds that
   * snapshot's content (snapshots carried over, {@link RbdSnapshotCopier}). A resumed feed takes
   * the base its {@link #state()} recorded. Call before {@link #start}.
   */
  public synchronized RbdSnapshotChangeFeed fromSnapshot(String snapshot) {
    this.base = snapshot;
    return this;
  }

  /** The snapshot the first pass was a diff from, or null (all allocated data). */
  public synchronized String base() {
    return base;
  }

  /** The prefix of every snapshot this feed makes. */
  public synchronized String snapshotPrefix() {
    return prefix;
  }

  @Override
  public synchronized Pass start(Map<String, String> state) {
    if (head != null) {
      throw new IllegalStateException("change feed for " + imageName + " already started");
    }
    String recorded = state == null ? null : state.get("prefix");
    if (recorded != null && recorded.matches("ferry-[A-Za-z0-9_-]{1,64}-")) {
      prefix = recorded; // the crashed run's snapshots carry its prefix
    }
    if (state != null && state.get("base") != null) {
      base = state.get("base"); // the first pass of the crashed run was a diff from it
    }
    head = pool.open(imageName, null); // read-write handle: snapshots need it; never written
    List<String> mine = mySnapshots();
    serial = mine.stream().mapToInt(this::serialOf).max().orElse(0);
    String resumeFrom = state == null ? null : state.get("snapshot");
    if (resumeFrom != null && !mine.contains(resumeFrom) && !mine.isEmpty()) {
      resumeFrom = mine.get(mine.size() - 1);
    }
    if (resumeFrom != null && mine.contains(resumeFrom)) {
      current = resumeFrom;
      LOG.info("{}: resuming from snapshot {}", head.describe(), current);
    } else {
      current = takeSnapshot();
    }
    for (String stale : mine) {
      if (!stale.equals(current)) {
        removeQuietly(stale);
      }
    }
    view = openView(current);
    if (base != null) {
      LOG.info("{}: first pass is the diff from snapshot {}", head.describe(), base);
      return new Pass(view, view.image().diff(base, 0, view.size()));
    }
    return new Pass(view, view.extents(0, view.size()));
  }

  @Override
  public synchronized Pass next(boolean last) {
    if (head == null) {
      throw new IllegalStateException("change feed for " + imageName + " not started");
    }
    String previous = current;
    String taken = takeSnapshot();
    RbdDevice next = openView(taken);
    List<Extent> changed;
    try {
      changed = next.image().diff(previous, 0, next.size());
    } catch (RuntimeException e) {
      next.close();
      removeQuietly(taken);
      throw e;
    }
    RbdDevice old = view;
    view = next;
    current = taken;
    pendingAt = 0;
    old.close();
    removeQuietly(previous);
    LOG.debug("{}: {} -> {}: {} regions changed{}", head.describe(), previous, taken, changed.size(),
        last ? " (final)" : "");
    return new Pass(view, changed);
  }

  /** Bytes the head has changed since the current snapshot, by whole objects; refreshed each second. */
  @Override
  public long pendingBytes() {
    RbdImage h;
    String snap;
    synchronized (this) {
      if (head == null || closed || System.nanoTime() - pendingAt < PENDING_REFRESH_NANOS) {
        return pendingCache;
      }
      h = head;
      snap = current;
    }
    try {
      long sum = 0;
      for (Extent e : h.diff(snap, 0, h.size(), true)) {
        sum += e.length();
      }
      pendingCache = sum;
      pendingAt = System.nanoTime();
    } catch (RuntimeException e) {
      LOG.debug("{}: pending bytes unknown: {}", imageName, e.getMessage());
    }
    return pendingCache;
  }

  @Override
  public synchronized Map<String, String> state() {
    Map<String, String> s = new LinkedHashMap<>();
    s.put("image", imageName);
    s.put("prefix", prefix);
    if (base != null) {
      s.put("base", base);
    }
    if (current != null) {
      s.put("snapshot", current);
    }
    return s;
  }

  /** Removes every snapshot of this job (only those) and releases the handles. Idempotent. */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    if (view != null) {
      view.close();
      view = null;
    }
    try {
      if (head != null) {
        try {
          for (String snap : mySnapshots()) {
            head.removeSnapshot(snap);
          }
        } finally {
          head.close();
        }
      }
    } finally {
      if (ownsPool) {
        pool.close();
      }
    }
  }

  private String takeSnapshot() {
    String name = prefix + (++serial);
    head.createSnapshot(name);
    return name;
  }

  private RbdDevice openView(String snapshot) {
    return new RbdDevice(pool.openReadOnly(imageName, snapshot));
  }

  /** This job's snapshots on the image, oldest first. */
  private List<String> mySnapshots() {
    List<String> out = new ArrayList<>();
    for (RbdSnapshot s : head.snapshots()) {
      if (s.name().startsWith(prefix) && serialOf(s.name()) > 0) {
        out.add(s.name());
      }
    }
    return out;
  }

  private int serialOf(String snapshot) {
    try {
      return Integer.parseInt(snapshot.substring(prefix.length()));
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  private void removeQuietly(String snapshot) {
    try {
      head.removeSnapshot(snapshot);
    } catch (RuntimeException e) {
      // close() retries; a leftover is also removed by the next start() of this job.
      LOG.warn("{}: could not remove snapshot {} now: {}", head.describe(), snapshot, e.getMessage());
    }
  }
}
