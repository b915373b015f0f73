package dev.fermata.grpc;

import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;

/**
 * Refuses every call that does not carry the host's management key, as the HTTP API does: in an
 * {@code x-functions-key} header (the HTTP API's) or as {@code authorization: Bearer <key>} (what
 * gRPC clients usually send). Compared in constant time.
 */
final class ManagementKeyCheck implements ServerInterceptor {
  static final Metadata.Key<String> FUNCTIONS_KEY =
      Metadata.Key.of("x-functions-key", Metadata.ASCII_STRING_MARSHALLER);
  static final Metadata.Key<String> AUTHORIZATION =
      Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);

  private final byte[] key;

  ManagementKeyCheck(String key) {
    this.key = key.getBytes(StandardCharsets.UTF_8);
  }

  @Override
  public <Q, R> ServerCall.Listener<Q> interceptCall(
      ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
    if (matches(headers.get(FUNCTIONS_KEY)) || matches(bearer(headers.get(AUTHORIZATION)))) {
      return next.startCall(call, headers);
    }
    call.close(
        Status.UNAUTHENTICATED.withDescription(
            "This host requires its management key, in an x-functions-key header or as"
                + " 'authorization: Bearer <key>'"),
        new Metadata());
    return new ServerCall.Listener<>() {};
  }

  private static String bearer(String authorization) {
    String prefix = "Bearer ";
    return authorization != null && authorization.regionMatches(true, 0, prefix, 0, prefix.length())
        ? authorization.substring(prefix.length()).trim()
        : null;
  }

  private boolean matches(String given) {
    return given != null && MessageDigest.isEqual(key, given.getBytes(StandardCharsets.UTF_8));
  }
}
