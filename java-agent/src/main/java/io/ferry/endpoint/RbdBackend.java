package io.ferry.endpoint;

import io.ferry.config.ClusterConfig;
import io.ferry.copy.ChangeFeed;
import io.ferry.device.BlockDevice;
import io.ferry.device.rbd.FrozenSourceFeed;
import io.ferry.device.rbd.RadosCluster;
import io.ferry.device.rbd.RbdClusterSpec;
import io.ferry.device.rbd.RbdClusters;
import io.ferry.device.rbd.RbdCreateOptions;
import io.ferry.device.rbd.RbdDevice;
import io.ferry.device.rbd.RbdFeature;
import io.ferry.device.rbd.RbdImage;
import io.ferry.device.rbd.RbdPool;
import io.ferry.device.rbd.RbdSnapshotChangeFeed;
import io.ferry.error.FerryException;
import io.ferry.error.Reason;
import io.ferry.proto.v1.CopyOptions;
import io.ferry.proto.v1.Endpoint;
import io.ferry.proto.v1.RbdLayout;
import java.io.IOException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * RBD endpoints on the clusters of the agent's config. Destinations the job creates are written
 * under a temporary name and renamed at commit ({@link RbdDestination}); sources that other
 * clients may write are followed by snapshot diffs ({@link #changeFeed}).
 */
public final class RbdBackend implements Backend, AutoCloseable {

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
    io.ferry.proto.v1.RbdImage r = RbdNames.check(endpoint.getRbd(), "source");
    if (!r.getSnapshot().isEmpty()) {
      return new FrozenSourceFeed(source);
    }
    return RbdSnapshotChangeFeed.owning(pool(r, "source"), r.getImage(), jobId);
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
    io.ferry.proto.v1.RbdImage r = RbdNames.destination(endpoint.getRbd(), field);
    RbdCreateOptions layout = layout(options.getDestinationLayout(), field);
    RbdPool pool = pool(r, field);
    try {
      refuseExisting(pool, r, field);
      String part = RbdDestination.partName(r.getImage());
      if (pool.exists(part)) {
        pool.remove(part); // left by a job that never got as far as its journal
      }
      pool.create(part, size, layout);
      return new RbdDestination(pool, r.getImage(), new RbdDevice(pool.open(part, null), pool), true);
    } catch (FerryException e) {
      pool.close();
      throw RbdNames.context(e, field, r);
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
      return new RbdDestination(pool, r.getImage(), new RbdDevice(pool.open(name, null), pool), true);
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

  /** The caller's layout; zero values leave the cluster's defaults (rbd_default_*). */
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
