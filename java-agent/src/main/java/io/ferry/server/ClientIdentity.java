package io.ferry.server;

import java.security.cert.Certificate;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import javax.naming.InvalidNameException;
import javax.naming.ldap.LdapName;
import javax.naming.ldap.Rdn;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;

/**
 * Who a client is, as its (CA-verified) certificate says: the subject's CN and the DNS and URI
 * subject alternative names. A client is allowed when any of these equals an entry of {@code
 * tls.allowed_clients}.
 */
public record ClientIdentity(String commonName, List<String> alternativeNames) {

  private static final int SAN_DNS = 2;
  private static final int SAN_URI = 6;

  public ClientIdentity {
    alternativeNames = List.copyOf(alternativeNames);
  }

  /** The identity of the TLS peer; empty when it presented no certificate. */
  public static Optional<ClientIdentity> of(SSLSession session) {
    if (session == null) {
      return Optional.empty();
    }
    try {
      Certificate[] chain = session.getPeerCertificates();
      if (chain.length == 0 || !(chain[0] instanceof X509Certificate leaf)) {
        return Optional.empty();
      }
      return Optional.of(of(leaf));
    } catch (SSLPeerUnverifiedException e) {
      return Optional.empty();
    }
  }

  public static ClientIdentity of(X509Certificate cert) {
    return new ClientIdentity(commonName(cert), alternativeNames(cert));
  }

  public boolean isAllowed(Set<String> allowed) {
    if (commonName != null && allowed.contains(commonName)) {
      return true;
    }
    return alternativeNames.stream().anyMatch(allowed::contains);
  }

  /** A short name for logs and errors: the CN, else the first SAN. */
  public String display() {
    if (commonName != null) {
      return commonName;
    }
    return alternativeNames.isEmpty() ? "(no CN, no SAN)" : alternativeNames.get(0);
  }

  private static String commonName(X509Certificate cert) {
    try {
      LdapName name = new LdapName(cert.getSubjectX500Principal().getName());
      String cn = null;
      for (Rdn rdn : name.getRdns()) {
        if (rdn.getType().equalsIgnoreCase("CN")) {
          cn = String.valueOf(rdn.getValue()); // the most specific CN wins (last in RDN order)
        }
      }
      return cn;
    } catch (InvalidNameException e) {
      return null;
    }
  }

  private static List<String> alternativeNames(X509Certificate cert) {
    List<String> out = new ArrayList<>();
    try {
      Collection<List<?>> sans = cert.getSubjectAlternativeNames();
      if (sans == null) {
        return out;
      }
      for (List<?> san : sans) {
        int type = (Integer) san.get(0);
        if ((type == SAN_DNS || type == SAN_URI) && san.get(1) instanceof String s) {
          out.add(s);
        }
      }
    } catch (CertificateParsingException e) {
      // a malformed SAN extension: the CN alone decides
    }
    return out;
  }
}
