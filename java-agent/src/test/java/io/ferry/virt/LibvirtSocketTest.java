package io.ferry.virt;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LibvirtSocketTest {

  @TempDir Path dir;

  @Test
  void socketInTheUriMustExist() throws Exception {
    Path sock = dir.resolve("libvirt-sock");
    String uri = "qemu:///system?socket=" + sock;
    assertThat(LibvirtSocket.present(uri)).isFalse();
    Files.createFile(sock);
    assertThat(LibvirtSocket.present(uri)).isTrue();
  }

  @Test
  void remoteUrisAreLeftToLibvirt() {
    assertThat(LibvirtSocket.present("qemu+tls://host/system")).isTrue();
  }
}
