package io.ferry.job;

import com.google.protobuf.ByteString;
import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.Message;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/** A stable fingerprint of a request, to tell a retry from another request with the same id. */
final class RequestDigest {

  private RequestDigest() {}

  static ByteString of(Message request) {
    try {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      CodedOutputStream coded = CodedOutputStream.newInstance(out);
      coded.useDeterministicSerialization(); // map fields (labels) in a fixed order
      request.writeTo(coded);
      coded.flush();
      return ByteString.copyFrom(MessageDigest.getInstance("SHA-256").digest(out.toByteArray()));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 missing from this JVM", e);
    }
  }
}
