package io.ferry.endpoint;

import io.ferry.device.BlockDevice;
import io.ferry.error.FerryException;
import io.ferry.proto.v1.DiskFormat;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Collections;
import java.util.EnumMap;
import java.util.Map;
import java.util.Set;

/**
 * The disk formats file endpoints can hold, each with the codec that opens and creates it. The
 * agent registers RAW at start; the format layer (qcow2, vmdk, vhd, vhdx) registers its codecs and
 * a prober here. Nothing else in the endpoint layer knows a format by name.
 */
public final class FormatRegistry {

  /** Opens and creates images of one format on a file. */
  public interface Codec {
    /** Opens an existing image; the device's size is the image's virtual size. */
    BlockDevice open(Path file, boolean readOnly) throws IOException;

    /** Creates a new image of {@code virtualSize} bytes at {@code file} (which must not exist). */
    BlockDevice create(Path file, long virtualSize) throws IOException;
  }

  /** Tells which format a file holds; untrusted input, so it must only read headers. */
  @FunctionalInterface
  public interface Prober {
    DiskFormat probe(Path file) throws IOException;
  }

  private final Map<DiskFormat, Codec> codecs = new EnumMap<>(DiskFormat.class);
  private volatile Prober prober = file -> DiskFormat.RAW;

  public synchronized FormatRegistry register(DiskFormat format, Codec codec) {
    codecs.put(format, codec);
    return this;
  }

  public void setProber(Prober prober) {
    this.prober = prober;
  }

  public synchronized Set<DiskFormat> formats() {
    return Collections.unmodifiableSet(codecs.keySet());
  }

  /** The codec for {@code format}; INVALID_ARGUMENT naming {@code field} if there is none. */
  public synchronized Codec codec(DiskFormat format, String field) {
    Codec c = codecs.get(format);
    if (c == null) {
      throw FerryException.invalid(field, "format " + format + " is not supported by this agent; "
          + "it supports " + codecs.keySet());
    }
    return c;
  }

  /** The format of an existing file: {@code declared} if given, else what the prober says. */
  public DiskFormat formatOf(Path file, DiskFormat declared) throws IOException {
    if (declared != DiskFormat.DISK_FORMAT_UNSPECIFIED && declared != DiskFormat.UNRECOGNIZED) {
      return declared;
    }
    return prober.probe(file);
  }
}
