package io.ferry.server;

import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.Grpc;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import java.util.Optional;
import java.util.Set;
import javax.net.ssl.SSLSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Lets a call through only when the client's certificate (already verified against the client CA
 * by TLS) names an identity in {@code tls.allowed_clients}. The identity is put in the call's
 * {@link Context} under {@link #CLIENT} for logs.
 */
public final class ClientAuthInterceptor implements ServerInterceptor {

  public static final Context.Key<String> CLIENT = Context.key("ferry-client");
  private static final Logger log = LoggerFactory.getLogger(ClientAuthInterceptor.class);

  private final Set<String> allowed;

  public ClientAuthInterceptor(Set<String> allowed) {
    this.allowed = Set.copyOf(allowed);
  }

  @Override
  public <Q, A> ServerCall.Listener<Q> interceptCall(
      ServerCall<Q, A> call, Metadata headers, ServerCallHandler<Q, A> next) {
    SSLSession session = call.getAttributes().get(Grpc.TRANSPORT_ATTR_SSL_SESSION);
    Optional<ClientIdentity> id = ClientIdentity.of(session);
    if (id.isEmpty()) {
      call.close(Status.UNAUTHENTICATED.withDescription(
          "no client certificate; connect with --cert/--key signed by the agent's client CA"),
          new Metadata());
      return new ServerCall.Listener<>() {};
    }
    if (!id.get().isAllowed(allowed)) {
      log.warn("refused client {} (SANs {}) calling {}: not in tls.allowed_clients",
          id.get().display(), id.get().alternativeNames(),
          call.getMethodDescriptor().getFullMethodName());
      call.close(Status.PERMISSION_DENIED.withDescription(
          "client '" + id.get().display() + "' is not in the agent's tls.allowed_clients; "
              + "add it there or use an allowed certificate"), new Metadata());
      return new ServerCall.Listener<>() {};
    }
    Context ctx = Context.current().withValue(CLIENT, id.get().display());
    return Contexts.interceptCall(ctx, call, headers, next);
  }
}
