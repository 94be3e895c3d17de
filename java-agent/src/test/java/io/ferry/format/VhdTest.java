package io.ferry.format;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ferry.device.BlockDevice;
import io.ferry.error.FerryException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** VHD (qemu "vpc") fixed and dynamic images: read what qemu wrote, write what qemu reads. */
class VhdTest {

  @TempDir Path dir;

  @ParameterizedTest
  @CsvSource({"subformat=dynamic,3146240", "subformat=fixed,3146240",
      "subformat=dynamic:force_size=on,3146240", "subformat=fixed:force_size=on,1049088",
      "subformat=dynamic,104857600"})
  void readsWhatQemuWrote(String opts, long size) throws Exception {
    Path raw = Qemu.rawImage(dir.resolve("src.raw"), size, opts.hashCode());
    Path img = dir.resolve("img.vhd");
    Qemu.ok("qemu-img", "convert", "-f", "raw", "-O", "vpc", "-o", opts.replace(':', ','),
        raw.toString(), img.toString());
    String info = Qemu.ok("qemu-img", "info", "-f", "vpc", "--output=json", img.toString());
    try (BlockDevice dev = Formats.open(FileStore.open(img, true), ImageFormat.VHD, true)) {
      assertThat(info).contains("\"virtual-size\": " + dev.size() + ",");
    }
    Path out = Images.readToRaw(img, dir.resolve("out.raw"));
    Qemu.ok("qemu-img", "compare", "-f", "vpc", "-F", "raw", img.toString(), out.toString());
    // qemu may round the size up (CHS): the source must be a prefix of the image.
    Qemu.ok("qemu-img", "compare", "-f", "raw", "-F", "raw", raw.toString(), out.toString());
  }

  @ParameterizedTest
  @CsvSource({"dynamic,3146240", "fixed,3146240", "dynamic,0", "dynamic,104857600"})
  void writesImagesQemuReads(String sub, long size) throws Exception {
    Path raw = Qemu.rawImage(dir.resolve("src.raw"), size, size + 1);
    Path img = dir.resolve("out.vhd");
    try (BlockDevice dev = Formats.create(FileStore.create(img), ImageFormat.VHD, size,
        CreateOptions.DEFAULTS.withSubformat(sub))) {
      Images.writeFromRaw(raw, dev);
    }
    // qemu probes only dynamic VHDs (a fixed one looks like raw to it): name the format.
    String info = Qemu.ok("qemu-img", "info", "-f", "vpc", "--output=json", img.toString());
    assertThat(info).contains("\"format\": \"vpc\"").contains("\"virtual-size\": " + size + ",");
    Qemu.assertSame(raw, "raw", img, "vpc");
    Qemu.assertSame(raw, "raw", Images.readToRaw(img, dir.resolve("back.raw")), "raw");
  }

  @Test
  void refusesBadChecksumAndOverlappingBlocks() throws Exception {
    Path raw = Qemu.rawImage(dir.resolve("src.raw"), 8 << 20, 1);
    Path img = dir.resolve("img.vhd");
    Qemu.ok("qemu-img", "convert", "-f", "raw", "-O", "vpc", raw.toString(), img.toString());
    try (FileChannel ch = FileChannel.open(img, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
      ByteBuffer bat = ByteBuffer.allocate(8);
      ch.read(bat, 1536);
      int first = bat.getInt(0) != -1 ? bat.getInt(0) : bat.getInt(4);
      ch.write(ByteBuffer.allocate(8).putInt(first).putInt(first).flip(), 1536);
    }
    assertThatThrownBy(() -> Images.readToRaw(img, dir.resolve("o.raw")))
        .isInstanceOf(FerryException.class).hasMessageContaining("overlap");
    try (FileChannel ch = FileChannel.open(img, StandardOpenOption.WRITE)) {
      ch.write(ByteBuffer.wrap(new byte[] {1, 2, 3}), 512 + 32);
    }
    assertThatThrownBy(() -> Images.readToRaw(img, dir.resolve("o.raw")))
        .isInstanceOf(FerryException.class).hasMessageContaining("checksum");
  }
}
