package io.ferry.device.rbd;

import io.ferry.error.FerryException;
import io.ferry.error.Reason;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The agent's Ceph clusters by id, each connected on first use and kept: a {@code rados_t} is
 * heavy (threads, sockets), pools and images are opened from it many times. A failed connect is
 * not kept, so the next use retries. Close the registry when the agent stops.
 */
public final class RbdClusters implements AutoCloseable {

  private final Map<String, RbdClusterSpec> specs;
  private final Map<String, RadosCluster> connected = new ConcurrentHashMap<>();
  private final Map<String, Object> locks = new ConcurrentHashMap<>();
  private volatile boolean closed;

  public RbdClusters(Map<String, RbdClusterSpec> specs) {
    this.specs = Map.copyOf(specs);
  }

  public List<String> ids() {
    return List.copyOf(new TreeMap<>(specs).keySet());
  }

  public boolean has(String id) {
    return specs.containsKey(id);
  }

  /**
   * The connected cluster {@code id}. NOT_FOUND if the config does not name it; UNAVAILABLE if it
   * cannot be reached within its connect timeout.
   */
  public RadosCluster get(String id) {
    RbdClusterSpec spec = specs.get(id);
    if (spec == null) {
      throw new FerryException(Reason.NOT_FOUND,
          "cluster '" + id + "' is not in the agent's config (known: " + String.join(", ", ids()) + ")");
    }
    RadosCluster c = connected.get(id);
    if (c != null) {
      return c;
    }
    synchronized (locks.computeIfAbsent(id, k -> new Object())) {
      if (closed) {
        throw new FerryException(Reason.UNAVAILABLE, "the agent is stopping: cluster " + id + " is closed");
      }
      c = connected.get(id);
      if (c == null) {
        c = RadosCluster.connect(spec);
        connected.put(id, c);
      }
      return c;
    }
  }

  @Override
  public void close() {
    closed = true;
    for (String id : List.copyOf(connected.keySet())) {
      synchronized (locks.computeIfAbsent(id, k -> new Object())) {
        RadosCluster c = connected.remove(id);
        if (c != null) {
          c.close();
        }
      }
    }
  }
}
