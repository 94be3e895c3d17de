package io.ferry.endpoint;

import io.ferry.config.ClusterConfig;
import io.ferry.copy.ChangeFeed;
import io.ferry.device.BlockDevice;
import io.ferry.copy.FrozenSourceFeed;
import io.ferry.device.rbd.RadosCluster;
import io.ferry.device.rbd.RbdClusterSpec;
import io.ferry.device.rbd.RbdClusters;
import io.ferry.device.rbd.RbdCreateOptions;
import io.ferry.device.rbd.RbdDevice;
import io.ferry.device.rbd.RbdFeature;
import io.ferry.device.rbd.RbdImage;
import io.ferry.device.rbd.RbdPool;
import io.ferry.device.rbd.RbdSnapshot;
import io.ferry.device.rbd.RbdSnapshotChangeFeed;
import io.ferry.device.rbd.RbdSnapshotCopier;
import io.ferry.copy.Throttle;
import io.ferry.error.FerryException;
import io.ferry.error.Reason;
import io.ferry.proto.v1.CopyOptions;
import io.ferry.proto.v1.Endpoint;
import io.ferry.proto.v1.RbdLayout;
import java.io.IOException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * RBD endpoints on the clusters of the agent's config. Destinations the job creates are written
 * under a temporary name and renamed at commit ({@link RbdDestination}); sources that other
 * clients may write are followed by snapshot diffs ({@link #changeFeed}).
 */
public final class RbdBackend implements Backend, AutoCloseable {

  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(RbdBackend.class);

  private final RbdClusters clusters;

  public RbdBackend(RbdClusters clusters) {
    this.clusters = clusters;
  }

  /** A backend for the config's clusters, each connecting within {@code connectTimeout}. */
  public static RbdBackend fromConfig(Map<String, ClusterConfig> config, Duration connectTimeout) {
    Map<String, RbdClusterSpec> specs = new LinkedHashMap<>();
    config.forEach((id, c) -> specs.put(id,
        new RbdClusterSpec(id, c.cephConf(), c.clientId(), c.keyring(), connectTimeout)));
    return new RbdBackend(new RbdClusters(specs));
  }

  public RbdClusters clusters() {
    return clusters;
  }

  @Override
  public String key(Endpoint endpoint, String field) {
    io.ferry.proto.v1.RbdImage r = endpoint.getRbd();
    return "rbd:" + RbdNames.spec(r) + (r.getSnapshot().isEmpty() ? "" : "@" + r.getSnapshot());
  }

  @Override
  public BlockDevice open(Endpoint endpoint, String field, boolean readOnly) {
    io.ferry.proto.v1.RbdImage r = RbdNames.check(endpoint.getRbd(), field);
    RbdPool pool = pool(r, field);
    try {
      String snap = r.getSnapshot().isEmpty() ? null : r.getSnapshot();
      RbdImage image = readOnly ? pool.openReadOnly(r.getImage(), snap) : pool.open(r.getImage(), snap);
      return new RbdDevice(image, pool);
    } catch (FerryException e) {
      pool.close();
      throw RbdNames.context(e, field, r);
    }
  }

  /**
   * The change feed for a copy from {@code endpoint}: snapshot diffs for an image's head (other
   * clients may write it), a single pass for a snapshot. Snapshot names carry {@code jobId}.
   */
  public ChangeFeed changeFeed(Endpoint endpoint, BlockDevice source, String jobId) {
    return changeFeed(endpoint, source, jobId, null);
  }

  /**
   * Like {@link #changeFeed(Endpoint, BlockDevice, String)}; with {@code fromSnapshot} (the
   * source's snapshots up to it were carried to the destination) the first pass is the diff from
   * that snapshot.
   */
  public ChangeFeed changeFeed(Endpoint endpoint, BlockDevice source, String jobId,
      String fromSnapshot) {
    io.ferry.proto.v1.RbdImage r = RbdNames.check(endpoint.getRbd(), "source");
    if (!r.getSnapshot().isEmpty()) {
      return new FrozenSourceFeed(source);
    }
    RbdSnapshotChangeFeed feed = RbdSnapshotChangeFeed.owning(pool(r, "source"), r.getImage(), jobId);
    return feed.fromSnapshot(fromSnapshot);
  }

  /**
   * Removes the temporary snapshots job {@code jobId} left on the source {@code endpoint} (after a
   * crash, when the job is then cancelled or fails without running its feed again). NOT_FOUND
   * if the image is gone (then so are its snapshots).
   */
  public int removeFeedSnapshots(Endpoint endpoint, String jobId) {
    io.ferry.proto.v1.RbdImage r = RbdNames.check(endpoint.getRbd(), "source");
    if (!r.getSnapshot().isEmpty()) {
      return 0; // frozen sources get no snapshots
    }
    try (RbdPool pool = pool(r, "source")) {
      return RbdSnapshotChangeFeed.removeLeftovers(pool, r.getImage(), jobId);
    } catch (FerryException e) {
      throw RbdNames.context(e, "source", r);
    }
  }

  @Override
  public void checkDestination(Endpoint endpoint, String field, long size, CopyOptions options) {
    io.ferry.proto.v1.RbdImage r = RbdNames.destination(endpoint.getRbd(), field);
    try (RbdPool pool = pool(r, field)) {
      if (options.getCreateDestination()) {
        layout(options.getDestinationLayout(), field);
        refuseExisting(pool, r, field);
        return;
      }
      checkExistingSize(pool, r, field, size);
    }
  }

  @Override
  public Destination create(Endpoint endpoint, String field, long size, CopyOptions options) {
    return create(endpoint, field, size, options, null);
  }

  /**
   * Creates the destination with the caller's layout; fields the caller left at 0 / empty take
   * the value of {@code source}'s image when the source is an RBD image (else the cluster's
   * defaults). A source data pool the destination's cluster does not have is left out.
   */
  @Override
  public Destination create(Endpoint endpoint, String field, long size, CopyOptions options,
      Endpoint source) {
    io.ferry.proto.v1.RbdImage r = RbdNames.destination(endpoint.getRbd(), field);
    RbdCreateOptions layout = layout(options.getDestinationLayout(), field);
    if (source != null && source.hasRbd()) {
      layout = layout.withDefaults(sourceLayout(source));
    }
    RbdPool pool = pool(r, field);
    try {
      if (options.getDestinationLayout().getDataPool().isEmpty() && layout.dataPool() != null
          && !pool.cluster().hasPool(layout.dataPool())) {
        LOG.info("{}: cluster {} has no pool '{}' (the source's data pool): data stays in pool {}",
            field, r.getClusterId(), layout.dataPool(), r.getPool());
        layout = layout.withoutDataPool();
      }
      refuseExisting(pool, r, field);
      String part = RbdDestination.partName(r.getImage());
      if (pool.exists(part)) {
        pool.removeWithSnapshots(part); // left by a job that never got as far as its journal
      }
      if (!pool.keepRemovableWhenFull()) {
        LOG.warn("{}: pool {} refused librbd's trash object: if it is full, the part image may"
            + " not be removable until space is freed", field, r.getPool());
      }
      pool.create(part, size, layout);
      return new RbdDestination(pool, r.getImage(), new RbdDevice(pool.open(part, null), pool), true);
    } catch (FerryException e) {
      pool.close();
      throw RbdNames.context(e, field, r);
    }
  }

  /** The layout of the source image (its head), for the fields the caller left unset. */
  private RbdCreateOptions sourceLayout(Endpoint source) {
    io.ferry.proto.v1.RbdImage s = RbdNames.check(source.getRbd(), "source");
    try (RbdPool pool = pool(s, "source"); RbdImage img = pool.openReadOnly(s.getImage(), null)) {
      return RbdCreateOptions.like(img);
    } catch (FerryException e) {
      throw RbdNames.context(e, "source", s);
    }
  }

  /**
   * copy_snapshots: carries the source's snapshots to {@code destination} (one this backend
   * created for the job), oldest first; from then on the destination reports as data only what
   * changed since the newest of them, matching the change feed's first pass (see {@link
   * #changeFeed}). Returns the newest snapshot's name, or null if the source has none.
   */
  public String copySnapshots(Endpoint source, Destination destination, Throttle throttle,
      SnapshotListener listener) throws InterruptedException {
    io.ferry.proto.v1.RbdImage s = RbdNames.check(source.getRbd(), "source");
    if (!(destination instanceof RbdDestination d) || !d.created()) {
      throw FerryException.invalid("options.copy_snapshots",
          "needs an RBD destination the job creates (create_destination=true)");
    }
    if (!s.getSnapshot().isEmpty()) {
      throw FerryException.invalid("options.copy_snapshots",
          "copies an image's snapshots; the source names snapshot '" + s.getSnapshot() + "'");
    }
    try (RbdPool pool = pool(s, "source")) {
      RbdSnapshotCopier.Listener l = new RbdSnapshotCopier.Listener() {
        @Override
        public boolean stopping() {
          return listener.stopping();
        }

        @Override
        public void carried(String name, long bytes, boolean isProtected) {
          listener.carried(name, bytes, isProtected);
        }
      };
      String base = new RbdSnapshotCopier(pool, s.getImage(), d.rbd().image(), throttle, l).run();
      d.extentsSince(base);
      return base;
    } catch (FerryException e) {
      throw RbdNames.context(e, "source", s);
    }
  }

  @Override
  public Destination reopen(Endpoint endpoint, String field, CopyOptions options) {
    io.ferry.proto.v1.RbdImage r = RbdNames.destination(endpoint.getRbd(), field);
    RbdPool pool = pool(r, field);
    try {
      String part = RbdDestination.partName(r.getImage());
      String name = pool.exists(part) ? part : r.getImage(); // renamed: committed before the stop
      if (!pool.exists(name)) {
        throw FerryException.notFound(field + ".rbd.image: the unfinished destination " + part
            + " is gone; start the copy again");
      }
      RbdDestination d =
          new RbdDestination(pool, r.getImage(), new RbdDevice(pool.open(name, null), pool), true);
      if (options.getCopySnapshots()) {
        List<RbdSnapshot> carried = RbdSnapshotCopier.userSnapshots(d.rbd().image());
        d.extentsSince(carried.isEmpty() ? null : carried.get(carried.size() - 1).name());
      }
      return d;
    } catch (FerryException e) {
      pool.close();
      throw RbdNames.context(e, field, r);
    }
  }

  @Override
  public Destination existing(Endpoint endpoint, String field, long minSize) {
    io.ferry.proto.v1.RbdImage r = RbdNames.destination(endpoint.getRbd(), field);
    RbdPool pool = pool(r, field);
    try {
      checkExistingSize(pool, r, field, minSize);
      return new RbdDestination(pool, r.getImage(), new RbdDevice(pool.open(r.getImage(), null), pool), false);
    } catch (FerryException e) {
      pool.close();
      throw RbdNames.context(e, field, r);
    }
  }

  @Override
  public void delete(Endpoint endpoint, String field) {
    io.ferry.proto.v1.RbdImage r = RbdNames.destination(endpoint.getRbd(), field);
    try (RbdPool pool = pool(r, field)) {
      pool.remove(r.getImage());
    } catch (FerryException e) {
      throw RbdNames.context(e, field, r);
    }
  }

  @Override
  public String describe(Endpoint endpoint) {
    io.ferry.proto.v1.RbdImage r = endpoint.getRbd();
    return "rbd " + RbdNames.spec(r) + (r.getSnapshot().isEmpty() ? "" : "@" + r.getSnapshot());
  }

  @Override
  public void close() {
    clusters.close();
  }

  private RbdPool pool(io.ferry.proto.v1.RbdImage r, String field) {
    RadosCluster cluster;
    try {
      cluster = clusters.get(r.getClusterId());
    } catch (FerryException e) {
      throw new FerryException(e.reason(), field + ".rbd.cluster_id: " + e.getMessage(), e);
    }
    try {
      return cluster.pool(r.getPool(), r.getNamespace());
    } catch (FerryException e) {
      if (e.reason() == Reason.NOT_FOUND) {
        throw FerryException.notFound(field + ".rbd.pool: pool '" + r.getPool()
            + "' does not exist on cluster '" + r.getClusterId() + "'");
      }
      throw RbdNames.context(e, field, r);
    }
  }

  private static void refuseExisting(RbdPool pool, io.ferry.proto.v1.RbdImage r, String field) {
    if (pool.exists(r.getImage())) {
      throw new FerryException(Reason.ALREADY_EXISTS, field + ".rbd.image: '" + RbdNames.spec(r)
          + "' exists already; choose another name, or set create_destination=false to write into it");
    }
  }

  private static void checkExistingSize(RbdPool pool, io.ferry.proto.v1.RbdImage r, String field, long size) {
    long have;
    try (RbdImage img = pool.openReadOnly(r.getImage(), null)) {
      have = img.size();
    } catch (FerryException e) {
      throw RbdNames.context(e, field, r);
    }
    if (have < size) {
      throw FerryException.precondition(field + ": rbd " + RbdNames.spec(r) + " holds " + have
          + " bytes, the source " + size + "; grow it (rbd resize) or let the job create the destination");
    }
  }

  /** The caller's layout; zero values leave the cluster's defaults (rbd_default_*) here. */
  static RbdCreateOptions layout(RbdLayout l, String field) {
    try {
      Long features = l.getFeaturesCount() == 0 ? null : RbdFeature.mask(l.getFeaturesList());
      return new RbdCreateOptions(features, l.getObjectSize(), l.getStripeUnit(), l.getStripeCount(),
          l.getDataPool().isEmpty() ? null : l.getDataPool());
    } catch (FerryException e) {
      throw new FerryException(e.reason(), "copy_options.destination_layout." + e.getMessage(), e);
    }
  }
}
