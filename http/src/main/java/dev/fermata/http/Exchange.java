package dev.fermata.http;

import java.io.InputStream;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Map;

/**
 * One request as the routes read it, whatever server carries it: the method, the path and query
 * exactly as sent (still percent-encoded), headers (names case-insensitive), the body and the
 * address the client reached.
 */
interface Exchange {
  String method();

  /** The path as sent, percent-encoding kept. */
  String rawPath();

  /** The query as sent, or null if there is none. */
  String rawQuery();

  /** The first value of a header, or null. */
  String header(String name);

  /** Every header; names compare case-insensitively. */
  Map<String, List<String>> headers();

  /** The body; reading it may block until the client sends it. */
  InputStream body();

  /** The local address the request arrived at. */
  InetSocketAddress localAddress();
}
