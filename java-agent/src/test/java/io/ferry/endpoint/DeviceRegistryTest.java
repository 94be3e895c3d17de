package io.ferry.endpoint;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ferry.device.MemoryDevice;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class DeviceRegistryTest {

  @Test
  void usersShareOneTapAndTheLastCloseClosesTheDevice() throws IOException {
    DeviceRegistry registry = new DeviceRegistry();
    AtomicInteger opened = new AtomicInteger();
    MemoryDevice mem = new MemoryDevice("vol", 1 << 20);
    DeviceRegistry.Opener opener = () -> {
      opened.incrementAndGet();
      return mem;
    };
    SharedDevice reader = registry.acquire("file:/x", true, opener);
    SharedDevice writer = registry.acquire("file:/x", false, opener);
    assertThat(opened).hasValue(1);
    assertThat(reader.tap()).isSameAs(writer.tap());
    assertThat(registry.users("file:/x")).isEqualTo(2);

    List<String> heard = new ArrayList<>();
    reader.tap().addListener((off, len) -> heard.add(off + "+" + len));
    writer.write(4096, ByteBuffer.wrap(new byte[512]));
    assertThat(heard).containsExactly("4096+512");
    assertThatThrownBy(() -> reader.write(0, ByteBuffer.wrap(new byte[1])))
        .hasMessageContaining("read-only");

    writer.close();
    writer.close(); // idempotent: releases once
    assertThat(registry.users("file:/x")).isEqualTo(1);
    reader.read(0, ByteBuffer.allocate(16)); // still open
    reader.close();
    assertThat(registry.users("file:/x")).isZero();
    SharedDevice again = registry.acquire("file:/x", true, opener);
    assertThat(opened).hasValue(2);
    again.close();
  }
}
