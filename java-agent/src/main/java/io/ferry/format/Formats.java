package io.ferry.format;

import io.ferry.device.BlockDevice;
import io.ferry.error.FerryException;
import io.ferry.error.Reason;
import io.ferry.format.qcow2.Qcow2Creator;
import io.ferry.format.qcow2.Qcow2Device;
import io.ferry.format.vhd.VhdDevice;
import io.ferry.format.vhdx.VhdxDevice;
import io.ferry.format.vmdk.VmdkFlatDevice;
import io.ferry.format.vmdk.VmdkSparseDevice;
import io.ferry.format.vmdk.VmdkStreamWriter;
import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * The entry point of the format layer: opens an image over a byte store (a raw file or RBD image
 * as a {@link BlockDevice}) and creates new ones. The returned device owns the store and closes
 * it. Every image is vetted before any of its data is read; see {@link FormatErrors}.
 */
public final class Formats {

  private Formats() {}

  /**
   * Opens the image in {@code store}. With {@code expected} null the format is probed; otherwise
   * the store must hold that format (INVALID_ARGUMENT if not). RAW returns the store itself,
   * whatever its first bytes look like.
   *
   * <p>Formats Ferry reads but does not write in place (sparse vmdk, vhdx, qcow2 v2 or with
   * snapshots) open read-only even when {@code readOnly} is false: {@link BlockDevice#isReadOnly}
   * tells, and writes are refused with FAILED_PRECONDITION. Sources are often opened writable
   * (so that the agent's write tap sees other writers); they are only read.
   */
  public static BlockDevice open(BlockDevice store, ImageFormat expected, boolean readOnly)
      throws IOException {
    return open(store, expected, readOnly, SiblingFiles.NONE);
  }

  /**
   * As {@link #open(BlockDevice, ImageFormat, boolean)}, with a way to open the one file a
   * monolithicFlat vmdk descriptor may name next to itself.
   */
  public static BlockDevice open(BlockDevice store, ImageFormat expected, boolean readOnly,
      SiblingFiles siblings) throws IOException {
    if (expected == ImageFormat.RAW) {
      return store;
    }
    ImageFormat found = FormatProbe.probe(store);
    if (expected != null && expected != found) {
      throw FerryException.invalid("format", store.describe() + " holds " + found.qemuName()
          + ", not " + expected.qemuName());
    }
    return switch (found) {
      case RAW -> store;
      case QCOW2 -> Qcow2Device.open(new Store(store, found), readOnly);
      case VHD -> VhdDevice.open(new Store(store, found), readOnly);
      case VMDK -> openVmdk(new Store(store, found), readOnly, siblings);
      case VHDX -> VhdxDevice.open(new Store(store, found));
      default -> throw new FerryException(Reason.UNIMPLEMENTED,
          found.qemuName() + " images are not supported yet");
    };
  }

  /** Creates a new empty image of {@code virtualSize} bytes in {@code store}, open for writing. */
  public static BlockDevice create(BlockDevice store, ImageFormat format, long virtualSize,
      CreateOptions options) throws IOException {
    CreateOptions o = options == null ? CreateOptions.DEFAULTS : options;
    return switch (format) {
      case RAW -> store;
      case QCOW2 -> Qcow2Creator.create(new Store(store, format), virtualSize, o);
      case VMDK -> createVmdk(new Store(store, format), virtualSize, o);
      case VHD -> VhdDevice.create(new Store(store, format), virtualSize, o.subformat(),
          o.clusterSize());
      default -> throw new FerryException(Reason.UNIMPLEMENTED,
          format.qemuName() + " images cannot be created yet");
    };
  }

  private static BlockDevice openVmdk(Store store, boolean readOnly, SiblingFiles siblings)
      throws IOException {
    ByteBuffer magic = ByteBuffer.allocate(4);
    store.device().read(0, magic);
    if (magic.get(0) != 'K') {
      return VmdkFlatDevice.open(store, siblings, readOnly);
    }
    return VmdkSparseDevice.open(store);
  }

  private static BlockDevice createVmdk(Store store, long size, CreateOptions o)
      throws IOException {
    if (o.subformat() != null && !o.subformat().equals("streamOptimized")) {
      throw FerryException.invalid("subformat", "Ferry writes vmdk only as streamOptimized, not '"
          + o.subformat() + "'");
    }
    return VmdkStreamWriter.create(store, size);
  }
}
