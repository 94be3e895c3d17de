package io.ferry.cloud;

import io.ferry.error.FerryException;
import io.ferry.error.Reason;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.SecureRandom;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;

/** SSL contexts from a clouds.yaml {@code cacert} (PEM bundle) or the JDK's defaults. */
final class TlsContexts {

  private TlsContexts() {}

  static SSLContext forCloud(CloudCredentials creds) {
    try {
      if (!creds.verifyTls()) {
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(null, new TrustManager[] {new TrustAll()}, new SecureRandom());
        return ctx;
      }
      if (creds.caFile() == null) {
        return SSLContext.getDefault();
      }
      return fromPem(creds.caFile());
    } catch (java.security.GeneralSecurityException e) {
      throw new FerryException(Reason.INTERNAL, "TLS setup failed: " + e.getMessage(), e);
    }
  }

  private static SSLContext fromPem(Path caFile) throws java.security.GeneralSecurityException {
    KeyStore ks = KeyStore.getInstance(KeyStore.getDefaultType());
    try (InputStream in = Files.newInputStream(caFile)) {
      ks.load(null, null);
      int i = 0;
      for (Certificate c : CertificateFactory.getInstance("X.509").generateCertificates(in)) {
        ks.setCertificateEntry("ca" + i++, c);
      }
      if (i == 0) {
        throw FerryException.invalid("cacert " + caFile, "holds no PEM certificate");
      }
    } catch (java.io.IOException e) {
      throw FerryException.invalid("cacert " + caFile, "cannot be read: " + e.getMessage());
    }
    TrustManagerFactory tmf =
        TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    tmf.init(ks);
    SSLContext ctx = SSLContext.getInstance("TLS");
    ctx.init(null, tmf.getTrustManagers(), new SecureRandom());
    return ctx;
  }

  /** Only for {@code verify: false} / OS_INSECURE, which the operator asked for explicitly. */
  private static final class TrustAll implements X509TrustManager {
    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType) {}

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType) {}

    @Override
    public X509Certificate[] getAcceptedIssuers() {
      return new X509Certificate[0];
    }
  }
}
