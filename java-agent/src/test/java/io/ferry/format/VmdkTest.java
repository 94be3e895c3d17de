package io.ferry.format;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ferry.device.BlockDevice;
import io.ferry.error.FerryException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** vmdk: read monolithicSparse, streamOptimized and monolithicFlat; write streamOptimized. */
class VmdkTest {

  @TempDir Path dir;

  @ParameterizedTest
  @CsvSource({"monolithicSparse,3146240", "streamOptimized,3146240", "streamOptimized,1049088",
      "monolithicSparse,104857600"})
  void readsWhatQemuWrote(String sub, long size) throws Exception {
    Path raw = Qemu.rawImage(dir.resolve("src.raw"), size, sub.hashCode() + size);
    Path img = dir.resolve("img.vmdk");
    Qemu.ok("qemu-img", "convert", "-f", "raw", "-O", "vmdk", "-o", "subformat=" + sub,
        raw.toString(), img.toString());
    Qemu.assertSame(raw, "raw", Images.readToRaw(img, dir.resolve("out.raw")), "raw");
  }

  @Test
  void readsMonolithicFlatThroughItsSibling() throws Exception {
    Path raw = Qemu.rawImage(dir.resolve("src.raw"), 3146240, 77);
    Path img = dir.resolve("img.vmdk");
    Qemu.ok("qemu-img", "convert", "-f", "raw", "-O", "vmdk", "-o", "subformat=monolithicFlat",
        raw.toString(), img.toString());
    SiblingFiles siblings = (name, ro) -> FileStore.open(dir.resolve(SiblingFiles.checkName(name)), ro);
    try (BlockDevice dev = Formats.open(FileStore.open(img, true), null, true, siblings)) {
      Images.copyExtents(dev, dir.resolve("out.raw"));
    }
    Qemu.assertSame(raw, "raw", dir.resolve("out.raw"), "raw");
    assertThatThrownBy(() -> Images.readToRaw(img, dir.resolve("o.raw")))
        .isInstanceOf(FerryException.class).hasMessageContaining("references another file");
  }

  @Test
  void refusesFlatExtentOutsideItsDirectory() throws Exception {
    Path img = dir.resolve("evil.vmdk");
    Files.writeString(img, "# Disk DescriptorFile\nversion=1\nCID=1\nparentCID=ffffffff\n"
        + "createType=\"monolithicFlat\"\nRW 2048 FLAT \"../../etc/shadow\" 0\n");
    SiblingFiles siblings = (name, ro) -> FileStore.open(dir.resolve(SiblingFiles.checkName(name)), ro);
    assertThatThrownBy(() -> Formats.open(FileStore.open(img, true), null, true, siblings))
        .isInstanceOf(FerryException.class).hasMessageContaining("not a plain file name");
    Files.writeString(img, "# Disk DescriptorFile\nversion=1\nCID=1\nparentCID=12345678\n"
        + "createType=\"monolithicFlat\"\nRW 2048 FLAT \"x\" 0\n");
    assertThatThrownBy(() -> Formats.open(FileStore.open(img, true), null, true, siblings))
        .isInstanceOf(FerryException.class).hasMessageContaining("differencing");
  }

  @ParameterizedTest
  @CsvSource({"3146240", "1049088", "104857600"})
  void writesStreamOptimizedQemuAccepts(long size) throws Exception {
    Path raw = Qemu.rawImage(dir.resolve("src.raw"), size, size + 5);
    Path img = dir.resolve("out.vmdk");
    try (BlockDevice dev = Formats.create(FileStore.create(img), ImageFormat.VMDK, size, null)) {
      Images.writeFromRaw(raw, dev);
      dev.writeZeroes(0, Math.min(size, 4096), true);
    }
    Qemu.ok("qemu-io", "-f", "raw", "-c", "write -z 0 " + Math.min(size, 4096), raw.toString());
    Qemu.ok("qemu-img", "check", "-f", "vmdk", img.toString());
    String info = Qemu.ok("qemu-img", "info", "--output=json", img.toString());
    assertThat(info).contains("\"format\": \"vmdk\"").contains("\"virtual-size\": " + size + ",")
        .contains("streamOptimized");
    Qemu.assertSame(raw, "raw", img, "vmdk");
    Qemu.assertSame(raw, "raw", Images.readToRaw(img, dir.resolve("back.raw")), "raw");
  }
}
