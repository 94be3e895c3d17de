package io.ferry.virt;

import com.sun.jna.NativeLong;
import com.sun.jna.Pointer;
import com.sun.jna.ptr.IntByReference;
import com.sun.jna.ptr.PointerByReference;
import io.ferry.error.FerryException;
import io.ferry.error.Reason;
import java.lang.reflect.Field;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;
import org.libvirt.Connect;
import org.libvirt.Domain;
import org.libvirt.LibvirtException;
import org.libvirt.jna.DomainPointer;

/**
 * One libvirt connection and the domain operations Ferry needs, in Ferry's terms. libvirt-java
 * for what it covers, {@link LibvirtNative} for the rest; every libvirt error leaves this class
 * as a {@link FerryException} (converted in {@link LibvirtErrors}). Thread-safe: libvirt
 * connections are, and no state is kept here.
 */
public final class Hypervisor implements AutoCloseable {

  // virDomainBlockCopyFlags
  static final int COPY_REUSE_EXT = 2;
  static final int COPY_TRANSIENT_JOB = 4;
  static final int COPY_SYNCHRONOUS_WRITES = 8;
  // virDomainBlockJobAbortFlags
  static final int ABORT_PIVOT = 2;
  // virDomainBlockJobInfoFlags: bandwidth in bytes/s
  private static final int INFO_BANDWIDTH_BYTES = 1;
  // virDomainXMLFlags
  static final int XML_SECURE = 1;
  static final int XML_INACTIVE = 2;
  static final int XML_MIGRATABLE = 8;
  private static final Pattern UUID =
      Pattern.compile("[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}");

  private final Connect conn;
  private final String uri;

  private Hypervisor(Connect conn, String uri) {
    this.conn = conn;
    this.uri = uri;
  }

  /** Opens a read-write connection, e.g. {@code qemu:///system?socket=/tmp/x/run/libvirt-sock}. */
  public static Hypervisor connect(String uri) {
    try {
      return new Hypervisor(new Connect(uri), uri);
    } catch (LibvirtException e) {
      throw LibvirtErrors.convert("libvirt connection " + uri, e);
    } catch (UnsatisfiedLinkError e) {
      throw new FerryException(
          Reason.UNAVAILABLE, "libvirt client library (libvirt0) is not installed: " + e.getMessage());
    }
  }

  public String uri() {
    return uri;
  }

  /** Copy parameters; 0 leaves QEMU's default (bandwidth 0: unlimited). */
  public record CopyParams(long bandwidth, int granularity, long bufSize) {}

  /** Starts libvirt's block copy of {@code disk} to a destination that already exists. */
  public void blockCopy(String domain, String disk, String destXml, CopyParams p, CopyMode mode) {
    int flags = COPY_REUSE_EXT | COPY_TRANSIENT_JOB;
    if (mode == CopyMode.WRITE_BLOCKING) {
      flags |= COPY_SYNCHRONOUS_WRITES;
    }
    int f = flags;
    LibvirtNative lib = LibvirtNative.load();
    withDomain(domain, "blockCopy of " + disk, d -> {
      PointerByReference params = new PointerByReference();
      IntByReference n = new IntByReference(0);
      IntByReference max = new IntByReference(0);
      try {
        if (p.bandwidth() > 0) {
          lib.virTypedParamsAddULLong(params, n, max, "bandwidth", p.bandwidth());
        }
        if (p.granularity() > 0) {
          lib.virTypedParamsAddUInt(params, n, max, "granularity", p.granularity());
        }
        if (p.bufSize() > 0) {
          lib.virTypedParamsAddULLong(params, n, max, "buf-size", p.bufSize());
        }
        if (lib.virDomainBlockCopy(pointerOf(d), disk, destXml, params.getValue(), n.getValue(),
            f) < 0) {
          throw LibvirtErrors.convertNative("domain " + domain + ": blockCopy of " + disk, lib);
        }
      } finally {
        lib.virTypedParamsFree(params.getValue(), n.getValue());
      }
      return null;
    });
  }

  /** The block job on {@code disk}, if one runs. */
  public Optional<BlockJobInfo> blockJob(String domain, String disk) {
    return withDomain(domain, "block job info of " + disk, d -> {
      org.libvirt.DomainBlockJobInfo i = d.getBlockJobInfo(disk, INFO_BANDWIDTH_BYTES);
      if (i.type == 0) {
        return Optional.empty();
      }
      boolean ready = DomainXml.parse(d.getXMLDesc(0)).mirrorReady(disk);
      return Optional.of(new BlockJobInfo(i.type, i.cur, i.end, i.bandwidth, ready));
    });
  }

  /** Ends the block job: pivot to the copy, or abandon it. Waits until libvirt has done so. */
  public void abortJob(String domain, String disk, boolean pivot) {
    withDomain(domain, (pivot ? "pivot of " : "abort of block job on ") + disk, d -> {
      d.blockJobAbort(disk, pivot ? ABORT_PIVOT : 0);
      return null;
    });
  }

  /** Sets a running block job's bandwidth in bytes/s; 0: unlimited. */
  public void setJobSpeed(String domain, String disk, long bytesPerSec) {
    LibvirtNative lib = LibvirtNative.load();
    withDomain(domain, "block job speed of " + disk, d -> {
      int rc = lib.virDomainBlockJobSetSpeed(
          pointerOf(d), disk, new NativeLong(bytesPerSec), LibvirtNative.SPEED_BANDWIDTH_BYTES);
      if (rc < 0) {
        throw LibvirtErrors.convertNative("domain " + domain + ": block job speed of " + disk, lib);
      }
      return null;
    });
  }

  public IoTune ioTune(String domain, String disk) {
    return withDomain(domain, "block I/O tune of " + disk, d -> IoTune.read(pointerOf(d), disk));
  }

  /** Applies limits to the running domain only (the persistent definition is untouched). */
  public void setIoTune(String domain, String disk, IoTune tune) {
    withDomain(domain, "set block I/O tune of " + disk, d -> {
      tune.apply(pointerOf(d), disk);
      return null;
    });
  }

  /** Bytes the guest device has written to {@code disk} since the domain started. */
  public long writtenBytes(String domain, String disk) {
    return withDomain(domain, "block stats of " + disk, d -> d.blockStats(disk).wr_bytes);
  }

  public String xml(String domain, boolean inactive) {
    return withDomain(domain, "XML", d -> d.getXMLDesc(inactive ? XML_INACTIVE | XML_SECURE : 0));
  }

  /** The live definition in a form fit to define the domain again (Nova's way after a pivot). */
  public String liveXmlForDefine(String domain) {
    return withDomain(domain, "XML", d -> d.getXMLDesc(XML_SECURE | XML_MIGRATABLE));
  }

  public boolean isPersistent(String domain) {
    return withDomain(domain, "persistence", d -> d.isPersistent() == 1);
  }

  public boolean isActive(String domain) {
    return withDomain(domain, "state", d -> d.isActive() == 1);
  }

  public void define(String xml) {
    try {
      conn.domainDefineXML(xml).free();
    } catch (LibvirtException e) {
      throw LibvirtErrors.convert("define domain", e);
    }
  }

  /** Names of the running domains. */
  public List<String> runningDomains() {
    try {
      List<String> names = new ArrayList<>();
      for (int id : conn.listDomains()) {
        Domain d = conn.domainLookupByID(id);
        try {
          names.add(d.getName());
        } finally {
          d.free();
        }
      }
      return names;
    } catch (LibvirtException e) {
      throw LibvirtErrors.convert("list domains", e);
    }
  }

  /** Runs a human monitor (HMP) command in the domain's QEMU; for tests and diagnostics. */
  public String hmp(String domain, String command) {
    return withDomain(domain, "monitor command", d -> d.qemuMonitorCommand(command, 1));
  }

  /** Runs a QMP command (JSON) in the domain's QEMU; for tests and benchmarks. */
  public String qmp(String domain, String json) {
    return withDomain(domain, "monitor command", d -> d.qemuMonitorCommand(json, 0));
  }

  @Override
  public void close() {
    try {
      conn.close();
    } catch (LibvirtException e) {
      // Closing a dead connection: nothing left to release.
    }
  }

  interface DomainCall<T> {
    T apply(Domain d) throws LibvirtException;
  }

  private <T> T withDomain(String name, String what, DomainCall<T> call) {
    Domain d;
    try {
      d = UUID.matcher(name).matches()
          ? conn.domainLookupByUUIDString(name)
          : conn.domainLookupByName(name);
    } catch (LibvirtException e) {
      throw LibvirtErrors.convert("domain " + name, e);
    }
    try {
      return call.apply(d);
    } catch (LibvirtException e) {
      throw LibvirtErrors.convert("domain " + name + ": " + what, e);
    } finally {
      try {
        d.free();
      } catch (LibvirtException e) {
        // freeing a handle cannot fail in a way we could act on
      }
    }
  }

  /** libvirt-java keeps the virDomainPtr package-private; LibvirtNative needs it. */
  static Pointer pointerOf(Domain d) {
    try {
      Field f = Domain.class.getDeclaredField("vdp");
      f.setAccessible(true);
      return ((DomainPointer) f.get(d)).getPointer();
    } catch (ReflectiveOperationException e) {
      throw new FerryException(
          Reason.INTERNAL, "libvirt-java changed: Domain.vdp not found (" + e + ")");
    }
  }
}
