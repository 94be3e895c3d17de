package io.ferry.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ClientIdentityTest {

  @TempDir Path dir;

  static X509Certificate read(Path pem) throws Exception {
    try (InputStream in = Files.newInputStream(pem)) {
      return (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
    }
  }

  @Test
  void readsTheCommonNameAndUriSan() throws Exception {
    TestPki pki = new TestPki(dir, "id");
    ClientIdentity id = ClientIdentity.of(read(pki.client("cinder-volume",
        "spiffe://ferry/cinder").cert()));
    assertThat(id.commonName()).isEqualTo("cinder-volume");
    assertThat(id.alternativeNames()).containsExactly("spiffe://ferry/cinder");
    assertThat(id.isAllowed(Set.of("cinder-volume"))).isTrue();
    assertThat(id.isAllowed(Set.of("spiffe://ferry/cinder"))).isTrue();
    assertThat(id.isAllowed(Set.of("nova-compute", "Ferry tests", "cinder"))).isFalse();
    assertThat(id.display()).isEqualTo("cinder-volume");
  }

  @Test
  void readsDnsSansOfAServerCertificate() throws Exception {
    TestPki pki = new TestPki(dir, "dns");
    ClientIdentity id = ClientIdentity.of(read(pki.server("host-1").cert()));
    assertThat(id.alternativeNames()).containsExactly("localhost"); // the IP SAN is not a name
    assertThat(id.isAllowed(Set.of("localhost"))).isTrue();
  }

  @Test
  void noSessionNoIdentity() {
    assertThat(ClientIdentity.of((javax.net.ssl.SSLSession) null)).isEmpty();
  }
}
