package io.ferry.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class HostPortTest {

  @Test
  void parsesHostPortAndIpv6() {
    assertThat(HostPort.parse("127.0.0.1:7420")).isEqualTo(new HostPort("127.0.0.1", 7420));
    assertThat(HostPort.parse("[::1]:80")).isEqualTo(new HostPort("::1", 80));
    assertThat(HostPort.parse("[::1]:80").toString()).isEqualTo("[::1]:80");
  }

  @Test
  void refusesMissingOrBadPort() {
    assertThatThrownBy(() -> HostPort.parse("localhost")).hasMessageContaining("host:port");
    assertThatThrownBy(() -> HostPort.parse("localhost:x")).hasMessageContaining("numeric port");
    assertThatThrownBy(() -> HostPort.parse("h:70000")).hasMessageContaining("out of range");
  }

  @Test
  void knowsLoopback() {
    assertThat(HostPort.parse("127.0.0.1:1").isLoopback()).isTrue();
    assertThat(HostPort.parse("[::1]:1").isLoopback()).isTrue();
    assertThat(HostPort.parse("0.0.0.0:1").isLoopback()).isFalse();
    assertThat(HostPort.parse("192.0.2.1:1").isLoopback()).isFalse();
  }
}
