package io.ferry.endpoint;

import io.ferry.device.BlockDevice;
import io.ferry.device.file.FileDevice;
import java.io.IOException;
import java.nio.file.Path;

/** RAW images: the file is the disk. Created sparse (one big hole). */
public final class RawFileCodec implements FormatRegistry.Codec {

  @Override
  public BlockDevice open(Path file, boolean readOnly) throws IOException {
    return readOnly ? FileDevice.openReadOnly(file) : FileDevice.open(file);
  }

  @Override
  public BlockDevice create(Path file, long virtualSize) throws IOException {
    return FileDevice.create(file, virtualSize, true);
  }

  /** A registry that knows RAW; format codecs add theirs. */
  public static FormatRegistry registry() {
    return new FormatRegistry().register(io.ferry.proto.v1.DiskFormat.RAW, new RawFileCodec());
  }
}
