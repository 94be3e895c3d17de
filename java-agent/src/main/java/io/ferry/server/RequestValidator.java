package io.ferry.server;

import io.ferry.error.FerryException;
import io.ferry.proto.v1.CancelJobRequest;
import io.ferry.proto.v1.CopyOptions;
import io.ferry.proto.v1.DiskFormat;
import io.ferry.proto.v1.Endpoint;
import io.ferry.proto.v1.FileImage;
import io.ferry.proto.v1.GetJobRequest;
import io.ferry.proto.v1.ListJobsRequest;
import io.ferry.proto.v1.LiveMirrorOptions;
import io.ferry.proto.v1.RbdImage;
import io.ferry.proto.v1.SetBandwidthRequest;
import io.ferry.proto.v1.StartCopyRequest;
import io.ferry.proto.v1.StartLiveMirrorRequest;
import io.ferry.proto.v1.VerifyRequest;
import io.ferry.proto.v1.WatchJobRequest;
import java.util.regex.Pattern;

/**
 * Checks the SHAPE of requests before they reach the job layer: required fields, ranges, paths
 * that cannot escape a root. What needs the agent's state (does the cluster, root, image, job
 * exist) is the job layer's business. Every failure is INVALID_ARGUMENT naming the field, e.g.
 * "source.rbd.pool: required".
 */
public final class RequestValidator {

  static final int MAX_ID = 128;
  static final int MAX_PARALLELISM = 256;
  static final long MIN_CHUNK = 4096;
  static final long MAX_CHUNK = 64L << 20;
  static final long MAX_GRANULARITY = 64L << 20;
  static final long MAX_BUFFER = 1L << 30;
  private static final Pattern REQUEST_ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._:@/-]*");
  // RBD names: what `rbd` accepts minus the separators it uses itself.
  private static final Pattern RBD_NAME = Pattern.compile("[^/@\\s]+");

  private RequestValidator() {}

  public static void startCopy(StartCopyRequest r) {
    requestId(r.getRequestId());
    endpoint("source", r.getSource(), true);
    endpoint("destination", r.getDestination(), false);
    copyOptions("options", r.getOptions(), r.getDestination());
    copySnapshots("options.copy_snapshots", r);
    labels(r.getLabelsMap());
  }

  /** copy_snapshots: RBD image (its head) to an RBD image the job creates. */
  static void copySnapshots(String field, StartCopyRequest r) {
    if (!r.getOptions().getCopySnapshots()) {
      return;
    }
    if (!r.getSource().hasRbd() || !r.getDestination().hasRbd()) {
      throw FerryException.invalid(field, "is only supported from an RBD image to an RBD image");
    }
    if (!r.getSource().getRbd().getSnapshot().isEmpty()) {
      throw FerryException.invalid(field, "copies an image's snapshots; leave source.rbd.snapshot"
          + " empty (the image's head and all its snapshots are copied)");
    }
    if (!r.getOptions().getCreateDestination()) {
      throw FerryException.invalid(field, "needs create_destination=true (the snapshots are made"
          + " on a new image)");
    }
  }

  public static void startLiveMirror(StartLiveMirrorRequest r) {
    requestId(r.getRequestId());
    require("domain", r.getDomain());
    require("disk_target", r.getDiskTarget());
    boolean hasEndpoint = r.getDestination().getKindCase() != Endpoint.KindCase.KIND_NOT_SET;
    if (hasEndpoint && !r.getDestinationXml().isEmpty()) {
      throw FerryException.invalid("destination", "give destination or destination_xml, not both");
    }
    if (!hasEndpoint && r.getDestinationXml().isEmpty()) {
      throw FerryException.invalid("destination", "required (or destination_xml)");
    }
    if (hasEndpoint) {
      endpoint("destination", r.getDestination(), false);
    }
    mirrorOptions("options", r.getOptions());
    labels(r.getLabelsMap());
  }

  public static void jobId(String field, String id) {
    require(field, id);
    if (id.length() > MAX_ID) {
      throw FerryException.invalid(field, "longer than " + MAX_ID + " characters");
    }
  }

  public static void getJob(GetJobRequest r) {
    jobId("job_id", r.getJobId());
  }

  public static void watchJob(WatchJobRequest r) {
    jobId("job_id", r.getJobId());
  }

  public static void cancelJob(CancelJobRequest r) {
    jobId("job_id", r.getJobId());
  }

  public static void pivotJob(io.ferry.proto.v1.PivotJobRequest r) {
    jobId("job_id", r.getJobId());
  }

  public static void setBandwidth(SetBandwidthRequest r) {
    jobId("job_id", r.getJobId());
    // uint64 on the wire: a value above Long.MAX_VALUE arrives negative.
    if (r.getBandwidthBytesPerSec() < 0) {
      throw FerryException.invalid("bandwidth_bytes_per_sec", "too large");
    }
  }

  public static void listJobs(ListJobsRequest r) {
    for (int i = 0; i < r.getStatesCount(); i++) {
      int v = r.getStatesValue(i);
      if (v <= 0 || r.getStates(i) == io.ferry.proto.v1.JobState.UNRECOGNIZED) {
        throw FerryException.invalid("states[" + i + "]", "unknown job state " + v);
      }
    }
  }

  public static void verify(VerifyRequest r) {
    endpoint("a", r.getA(), true);
    endpoint("b", r.getB(), true);
  }

  static void requestId(String id) {
    require("request_id", id);
    if (id.length() > MAX_ID) {
      throw FerryException.invalid("request_id", "longer than " + MAX_ID + " characters");
    }
    if (!REQUEST_ID.matcher(id).matches()) {
      throw FerryException.invalid("request_id",
          "use letters, digits and . _ : @ / - (e.g. a UUID)");
    }
  }

  static void endpoint(String field, Endpoint e, boolean source) {
    switch (e.getKindCase()) {
      case RBD -> rbd(field + ".rbd", e.getRbd(), source);
      case FILE -> file(field + ".file", e.getFile());
      default -> throw FerryException.invalid(field, "required: set rbd or file");
    }
  }

  static void rbd(String field, RbdImage r, boolean source) {
    require(field + ".cluster_id", r.getClusterId());
    rbdName(field + ".pool", r.getPool(), true);
    rbdName(field + ".namespace", r.getNamespace(), false);
    rbdName(field + ".image", r.getImage(), true);
    rbdName(field + ".snapshot", r.getSnapshot(), false);
    if (!source && !r.getSnapshot().isEmpty()) {
      throw FerryException.invalid(field + ".snapshot", "a snapshot is read-only; "
          + "it cannot be a destination");
    }
  }

  private static void rbdName(String field, String value, boolean required) {
    if (value.isEmpty()) {
      if (required) {
        throw FerryException.invalid(field, "required");
      }
      return;
    }
    if (!RBD_NAME.matcher(value).matches()) {
      throw FerryException.invalid(field, "'" + value + "' may not contain '/', '@' or spaces");
    }
  }

  static void file(String field, FileImage f) {
    String path = f.getPath();
    require(field + ".path", path);
    if (path.startsWith("/")) {
      throw FerryException.invalid(field + ".path",
          "must be relative to the root, not absolute; drop the leading '/'");
    }
    if (path.indexOf('\0') >= 0 || path.contains("\\")) {
      throw FerryException.invalid(field + ".path", "may not contain NUL or '\\'");
    }
    for (String part : path.split("/", -1)) {
      if (part.equals("..")) {
        throw FerryException.invalid(field + ".path", "may not contain '..'; "
            + "name a file inside the root");
      }
    }
    if (path.endsWith("/")) {
      throw FerryException.invalid(field + ".path", "names a directory; name a file");
    }
    if (f.getFormat() == DiskFormat.UNRECOGNIZED) {
      throw FerryException.invalid(field + ".format", "unknown format " + f.getFormatValue());
    }
  }

  static void copyOptions(String field, CopyOptions o, Endpoint destination) {
    if (o.getParallelism() > MAX_PARALLELISM) {
      throw FerryException.invalid(field + ".parallelism",
          o.getParallelism() + " is above " + MAX_PARALLELISM);
    }
    long chunk = o.getChunkSize();
    if (chunk != 0 && (chunk < MIN_CHUNK || chunk > MAX_CHUNK || chunk % 512 != 0)) {
      throw FerryException.invalid(field + ".chunk_size",
          chunk + " is not a multiple of 512 in 4KiB..64MiB (0: the agent's default)");
    }
    if (o.getBandwidthBytesPerSec() < 0) {
      throw FerryException.invalid(field + ".bandwidth_bytes_per_sec", "too large");
    }
    if (o.getDestinationFormat() == DiskFormat.UNRECOGNIZED) {
      throw FerryException.invalid(field + ".destination_format",
          "unknown format " + o.getDestinationFormatValue());
    }
    boolean nonRaw = o.getDestinationFormat() != DiskFormat.DISK_FORMAT_UNSPECIFIED
        && o.getDestinationFormat() != DiskFormat.RAW;
    if (nonRaw && destination.hasRbd()) {
      throw FerryException.invalid(field + ".destination_format",
          "RBD images are raw; leave it unset for an rbd destination");
    }
    if (o.getCompress() && nonRaw && o.getDestinationFormat() != DiskFormat.QCOW2) {
      throw FerryException.invalid(field + ".compress", "only qcow2 destinations compress");
    }
    onlineOptions(field, o, destination);
  }

  /** Online conversion: an address, and a destination clients may write anywhere in. */
  static void onlineOptions(String field, CopyOptions o, Endpoint destination) {
    boolean hasExport = o.hasOnlineExport()
        && !o.getOnlineExport().equals(io.ferry.proto.v1.NbdAddress.getDefaultInstance());
    if (!o.getOnline()) {
      if (hasExport || !o.getOnlineExportName().isEmpty()) {
        throw FerryException.invalid(field + ".online_export", "only with " + field
            + ".online = true");
      }
      return;
    }
    if (!hasExport) {
      throw FerryException.invalid(field + ".online_export", "required with " + field
          + ".online: set unix_socket (a file name) or tcp (127.0.0.1:PORT)");
    }
    if (o.getCompress()) {
      throw FerryException.invalid(field + ".compress", "not with online: clients rewrite "
          + "regions in place, compressed clusters cannot be");
    }
    DiskFormat f = destination.hasFile() ? destination.getFile().getFormat()
        : DiskFormat.DISK_FORMAT_UNSPECIFIED;
    if (f == DiskFormat.DISK_FORMAT_UNSPECIFIED) {
      f = o.getDestinationFormat();
    }
    if (f == DiskFormat.VMDK || f == DiskFormat.VHDX) {
      throw FerryException.invalid(field + ".destination_format", f + " is written as a "
          + "stream (or not at all); an online destination takes writes anywhere: use raw, "
          + "qcow2 or vhd");
    }
  }

  static void mirrorOptions(String field, LiveMirrorOptions o) {
    long g = o.getGranularity() & 0xffffffffL;
    if (g != 0 && (g < 512 || g > MAX_GRANULARITY || Long.bitCount(g) != 1)) {
      throw FerryException.invalid(field + ".granularity",
          g + " is not a power of two in 512..64MiB (0: QEMU's default)");
    }
    if (o.getBufferSize() < 0 || o.getBufferSize() > MAX_BUFFER) {
      throw FerryException.invalid(field + ".buffer_size", "above 1GiB");
    }
    if (o.getBandwidthBytesPerSec() < 0) {
      throw FerryException.invalid(field + ".bandwidth_bytes_per_sec", "too large");
    }
  }

  static void labels(java.util.Map<String, String> labels) {
    if (labels.size() > 64) {
      throw FerryException.invalid("labels", "more than 64 labels");
    }
    for (var e : labels.entrySet()) {
      if (e.getKey().isEmpty() || e.getKey().length() > 128) {
        throw FerryException.invalid("labels", "keys are 1..128 characters");
      }
      if (e.getValue().length() > 1024) {
        throw FerryException.invalid("labels." + e.getKey(), "longer than 1024 characters");
      }
    }
  }

  static void require(String field, String value) {
    if (value == null || value.isBlank()) {
      throw FerryException.invalid(field, "required");
    }
  }
}
