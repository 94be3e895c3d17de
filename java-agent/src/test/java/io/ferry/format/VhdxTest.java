package io.ferry.format;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ferry.error.FerryException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** VHDX images made by qemu-img, read by Ferry; damaged ones refused. */
class VhdxTest {

  @TempDir Path dir;

  @ParameterizedTest
  @CsvSource({"subformat=dynamic,3146240", "subformat=fixed,3146240",
      "block_size=1048576,1049088", "subformat=dynamic,104857600",
      "log_size=1048576:block_state_zero=on,5242880"})
  void readsWhatQemuWrote(String opts, long size) throws Exception {
    Path raw = Qemu.rawImage(dir.resolve("src.raw"), size, opts.hashCode());
    Path img = dir.resolve("img.vhdx");
    Qemu.ok("qemu-img", "convert", "-f", "raw", "-O", "vhdx", "-o", opts.replace(':', ','),
        raw.toString(), img.toString());
    Qemu.assertSame(raw, "raw", Images.readToRaw(img, dir.resolve("out.raw")), "raw");
  }

  @Test
  void refusesBadChecksums() throws Exception {
    Path raw = Qemu.rawImage(dir.resolve("src.raw"), 2 << 20, 3);
    Path img = dir.resolve("img.vhdx");
    Qemu.ok("qemu-img", "convert", "-f", "raw", "-O", "vhdx", raw.toString(), img.toString());
    try (FileChannel ch = FileChannel.open(img, StandardOpenOption.WRITE)) {
      ch.write(ByteBuffer.wrap(new byte[] {9, 9}), (192 << 10) + 40);
      ch.write(ByteBuffer.wrap(new byte[] {9, 9}), (256 << 10) + 40);
    }
    assertThatThrownBy(() -> Images.readToRaw(img, dir.resolve("o.raw")))
        .isInstanceOf(FerryException.class).hasMessageContaining("region tables fail");
  }
}
