package io.ferry.endpoint;

import io.ferry.device.BlockDevice;
import io.ferry.device.file.FileDevice;
import io.ferry.error.FerryException;
import io.ferry.format.CreateOptions;
import io.ferry.format.FileStore;
import io.ferry.format.FormatProbe;
import io.ferry.format.Formats;
import io.ferry.format.ImageFormat;
import io.ferry.format.SiblingFiles;
import io.ferry.proto.v1.DiskFormat;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Image files in one of the format layer's formats (qcow2, vmdk, vhd, vhdx) as endpoint codecs.
 * Sources are read through a read-only {@link FileDevice} (its extents see the file's holes);
 * destinations are written through a growable {@link FileStore}. A monolithicFlat vmdk may name
 * one flat file in its own directory, which must not be a symlink leading elsewhere.
 */
public final class ImageFileCodec implements FormatRegistry.Codec {

  private final ImageFormat format;

  public ImageFileCodec(ImageFormat format) {
    this.format = format;
  }

  /** Registers every image format and the magic-byte prober with {@code registry}. */
  public static FormatRegistry registerAll(FormatRegistry registry) {
    registry.register(DiskFormat.QCOW2, new ImageFileCodec(ImageFormat.QCOW2));
    registry.register(DiskFormat.VMDK, new ImageFileCodec(ImageFormat.VMDK));
    registry.register(DiskFormat.VHD, new ImageFileCodec(ImageFormat.VHD));
    registry.register(DiskFormat.VHDX, new ImageFileCodec(ImageFormat.VHDX));
    registry.setProber(ImageFileCodec::probe);
    return registry;
  }

  static DiskFormat probe(Path file) throws IOException {
    try (FileDevice d = FileDevice.openReadOnly(file)) {
      return DiskFormat.valueOf(FormatProbe.probe(d).name());
    }
  }

  @Override
  public BlockDevice open(Path file, boolean readOnly) throws IOException {
    BlockDevice store = readOnly ? FileDevice.openReadOnly(file) : FileStore.open(file, false);
    try {
      return Formats.open(store, format, readOnly, siblings(file));
    } catch (IOException | RuntimeException e) {
      store.close();
      throw e;
    }
  }

  @Override
  public BlockDevice create(Path file, long virtualSize) throws IOException {
    BlockDevice store = FileStore.create(file);
    try {
      return Formats.create(store, format, virtualSize, CreateOptions.DEFAULTS);
    } catch (IOException | RuntimeException e) {
      store.close();
      throw e;
    }
  }

  /** Files next to {@code image}: a plain name, resolving (symlinks too) into the same folder. */
  static SiblingFiles siblings(Path image) {
    return (name, readOnly) -> {
      Path dir = image.toRealPath().getParent();
      Path sibling = dir.resolve(SiblingFiles.checkName(name));
      if (!Files.exists(sibling)) {
        throw FerryException.notFound("the vmdk extent file '" + name + "' next to "
            + image.getFileName() + " does not exist");
      }
      if (!sibling.toRealPath().getParent().equals(dir)) {
        throw FerryException.invalid("format", "the vmdk extent file '" + name
            + "' is a link out of its directory; Ferry refuses it");
      }
      return readOnly ? FileDevice.openReadOnly(sibling) : FileDevice.open(sibling);
    };
  }
}
