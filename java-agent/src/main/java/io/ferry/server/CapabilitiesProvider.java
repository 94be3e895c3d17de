package io.ferry.server;

import io.ferry.config.AgentConfig;
import io.ferry.job.JobService;
import io.ferry.proto.v1.Capabilities;
import io.ferry.proto.v1.ClusterInfo;
import io.ferry.proto.v1.DiskFormat;
import java.net.InetAddress;
import java.util.List;
import java.util.function.Function;

/**
 * What GetCapabilities answers: the version (the jar manifest's Implementation-Version), the
 * configured clusters and roots by id (never their paths or credentials), the formats this build
 * reads and writes, whether libvirt is there, and the budgets as the job layer sees them now.
 */
public final class CapabilitiesProvider {

  private final AgentConfig config;
  private final JobService jobs;
  private final Formats formats;
  private final boolean libvirt;
  private final Function<String, ClusterInfo> clusterProbe;

  /** The disk formats this agent reads and writes. */
  public record Formats(List<DiskFormat> read, List<DiskFormat> write) {
    public static Formats rawOnly() {
      return new Formats(List.of(DiskFormat.RAW), List.of(DiskFormat.RAW));
    }
  }

  /**
   * @param clusterProbe tells whether a configured cluster answers; the default says "not checked"
   */
  public CapabilitiesProvider(AgentConfig config, JobService jobs, Formats formats,
      boolean libvirt, Function<String, ClusterInfo> clusterProbe) {
    this.config = config;
    this.jobs = jobs;
    this.formats = formats;
    this.libvirt = libvirt;
    this.clusterProbe = clusterProbe != null ? clusterProbe : CapabilitiesProvider::notChecked;
  }

  public Capabilities get() {
    Capabilities.Builder b = Capabilities.newBuilder()
        .setVersion(version())
        .setHost(host())
        .addAllFileRoots(config.roots().keySet())
        .setLibvirtAvailable(libvirt)
        .addAllReadFormats(formats.read())
        .addAllWriteFormats(formats.write())
        .setBudgets(jobs.budgets());
    for (String id : config.clusters().keySet()) {
      b.addClusters(clusterProbe.apply(id));
    }
    return b.build();
  }

  /** The version from the jar manifest; "dev" when running from classes. */
  public static String version() {
    String v = CapabilitiesProvider.class.getPackage().getImplementationVersion();
    return v == null ? "dev" : v;
  }

  private static String host() {
    try {
      return InetAddress.getLocalHost().getHostName();
    } catch (Exception e) {
      return "unknown";
    }
  }

  private static ClusterInfo notChecked(String id) {
    return ClusterInfo.newBuilder().setId(id).setReachable(false)
        .setDetail("configured; reachability not checked").build();
  }
}
