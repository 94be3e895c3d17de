package io.ferry.cli;

import io.ferry.proto.v1.DiskFormat;
import io.ferry.proto.v1.Endpoint;
import io.ferry.proto.v1.FileImage;
import io.ferry.proto.v1.RbdImage;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * The CLI's endpoint syntax, both ways:
 *
 * <pre>
 *   file:[ROOT:]relative/path[?format=qcow2]      a file under one of the agent's roots
 *   rbd:CLUSTER/POOL[/NAMESPACE]/IMAGE[@SNAP]     an RBD image of a configured cluster
 * </pre>
 *
 * Only the syntax is checked here; the agent checks the rest (roots, clusters, path escapes).
 */
public final class EndpointSyntax {

  private static final Pattern ROOT = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]*");

  private EndpointSyntax() {}

  /** Parses an endpoint; IllegalArgumentException says what is wrong and shows the syntax. */
  public static Endpoint parse(String text) {
    if (text.startsWith("file:")) {
      return Endpoint.newBuilder().setFile(file(text, text.substring(5))).build();
    }
    if (text.startsWith("rbd:")) {
      return Endpoint.newBuilder().setRbd(rbd(text, text.substring(4))).build();
    }
    throw bad(text, "starts with neither file: nor rbd:");
  }

  private static FileImage file(String text, String rest) {
    FileImage.Builder b = FileImage.newBuilder();
    int q = rest.indexOf('?');
    if (q >= 0) {
      b.setFormat(format(text, rest.substring(q + 1)));
      rest = rest.substring(0, q);
    }
    int colon = rest.indexOf(':');
    if (colon > 0 && ROOT.matcher(rest.substring(0, colon)).matches()) {
      b.setRoot(rest.substring(0, colon));
      rest = rest.substring(colon + 1);
    }
    if (rest.isEmpty()) {
      throw bad(text, "has no path");
    }
    return b.setPath(rest).build();
  }

  private static DiskFormat format(String text, String query) {
    if (!query.startsWith("format=")) {
      throw bad(text, "has an unknown option '" + query + "' (only format=...)");
    }
    String name = query.substring(7).toUpperCase(Locale.ROOT);
    if (name.equals("VPC")) {
      return DiskFormat.VHD; // qemu's name for VHD
    }
    try {
      DiskFormat f = DiskFormat.valueOf(name);
      if (f != DiskFormat.UNRECOGNIZED && f != DiskFormat.DISK_FORMAT_UNSPECIFIED) {
        return f;
      }
    } catch (IllegalArgumentException e) {
      // fall through
    }
    throw bad(text, "has an unknown format '" + query.substring(7)
        + "' (raw, qcow2, vmdk, vhd, vhdx)");
  }

  private static RbdImage rbd(String text, String rest) {
    RbdImage.Builder b = RbdImage.newBuilder();
    int at = rest.indexOf('@');
    if (at >= 0) {
      String snap = rest.substring(at + 1);
      if (snap.isEmpty() || snap.contains("@") || snap.contains("/")) {
        throw bad(text, "has an empty or malformed snapshot after '@'");
      }
      b.setSnapshot(snap);
      rest = rest.substring(0, at);
    }
    String[] parts = rest.split("/", -1);
    if (parts.length < 3 || parts.length > 4) {
      throw bad(text, "needs CLUSTER/POOL/IMAGE or CLUSTER/POOL/NAMESPACE/IMAGE");
    }
    for (String p : parts) {
      if (p.isEmpty()) {
        throw bad(text, "has an empty name between '/'");
      }
    }
    b.setClusterId(parts[0]).setPool(parts[1]);
    if (parts.length == 4) {
      b.setNamespace(parts[2]);
    }
    return b.setImage(parts[parts.length - 1]).build();
  }

  /** The endpoint in the same syntax (for output). */
  public static String format(Endpoint e) {
    switch (e.getKindCase()) {
      case FILE -> {
        FileImage f = e.getFile();
        String s = "file:" + (f.getRoot().isEmpty() ? "" : f.getRoot() + ":") + f.getPath();
        return f.getFormat() == DiskFormat.DISK_FORMAT_UNSPECIFIED
            ? s : s + "?format=" + f.getFormat().name().toLowerCase(Locale.ROOT);
      }
      case RBD -> {
        RbdImage r = e.getRbd();
        return "rbd:" + r.getClusterId() + "/" + r.getPool() + "/"
            + (r.getNamespace().isEmpty() ? "" : r.getNamespace() + "/") + r.getImage()
            + (r.getSnapshot().isEmpty() ? "" : "@" + r.getSnapshot());
      }
      default -> {
        return "-";
      }
    }
  }

  private static IllegalArgumentException bad(String text, String why) {
    return new IllegalArgumentException("endpoint '" + text + "' " + why + "; write "
        + "file:[ROOT:]relative/path[?format=qcow2] or rbd:CLUSTER/POOL[/NAMESPACE]/IMAGE[@SNAP]");
  }
}
