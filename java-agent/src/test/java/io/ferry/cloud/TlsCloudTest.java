package io.ferry.cloud;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ferry.error.FerryException;
import io.ferry.server.TestPki;
import java.io.ByteArrayInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Base64;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A cloud behind HTTPS with a private CA (clouds.yaml {@code cacert}): openstack4j's OkHttp
 * connector cannot take an SSLContext on JDK 9+, so the login goes through
 * {@link KeystoneTokenRequest}; the thin client uses the same context.
 */
class TlsCloudTest {

  @TempDir Path dir;
  FakeOpenStack os;
  TestPki pki;

  @BeforeEach
  void start() throws Exception {
    pki = new TestPki(dir, "cloud");
    TestPki.Leaf leaf = pki.server("keystone");
    os = new FakeOpenStack(serverContext(leaf));
    Fixtures.standard(os.model);
    os.model.volume("v1", Fixtures.POOL_A);
  }

  @AfterEach
  void stop() {
    os.close();
  }

  CloudCredentials creds(Path ca, boolean verify) {
    CloudCredentials c = os.credentials();
    return new CloudCredentials(c.authUrl(), c.username(), c.password(), c.userDomain(),
        c.projectName(), null, c.projectDomain(), c.region(), c.interfaceName(), ca, verify);
  }

  @Test
  void privateCaFromCloudsYamlIsTrustedByLoginAndThinClient() {
    assertThat(os.authUrl()).startsWith("https://");
    OpenStackCloud cloud = OpenStackCloud.connect(creds(pki.caFile(), true));
    assertThat(cloud.volume("v1").host()).isEqualTo(Fixtures.POOL_A);
    assertThat(os.tokensIssued).isEqualTo(1);
  }

  @Test
  void unknownCaIsRefusedWithoutLeakingThePassword() {
    OpenStackCloud cloud = OpenStackCloud.connect(creds(null, true));
    assertThatThrownBy(() -> cloud.volume("v1"))
        .isInstanceOf(FerryException.class)
        .hasMessageContaining("Keystone")
        .hasMessageNotContaining(FakeOpenStack.PASSWORD);
    assertThat(os.tokensIssued).isZero();
  }

  @Test
  void verifyFalseIsHonoured() {
    OpenStackCloud cloud = OpenStackCloud.connect(creds(null, false));
    assertThat(cloud.volume("v1").id()).isEqualTo("v1");
  }

  static SSLContext serverContext(TestPki.Leaf leaf) throws Exception {
    String pem = Files.readString(leaf.key());
    byte[] der = Base64.getMimeDecoder().decode(pem.replaceAll("-----[A-Z ]+-----", ""));
    PrivateKey key = KeyFactory.getInstance("EC").generatePrivate(new PKCS8EncodedKeySpec(der));
    Certificate cert = CertificateFactory.getInstance("X.509")
        .generateCertificate(new ByteArrayInputStream(Files.readAllBytes(leaf.cert())));
    KeyStore ks = KeyStore.getInstance("PKCS12");
    ks.load(null, null);
    ks.setKeyEntry("server", key, new char[0], new Certificate[] {cert});
    KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
    kmf.init(ks, new char[0]);
    SSLContext ctx = SSLContext.getInstance("TLS");
    ctx.init(kmf.getKeyManagers(), null, null);
    return ctx;
  }
}
