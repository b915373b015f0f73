package dev.fermata.http;

/** A client mistake, answered with {@code status} and a JSON error body. */
final class ApiException extends RuntimeException {
  private final int status;
  private final String error;

  ApiException(int status, String error, String message) {
    super(message, null, false, false);
    this.status = status;
    this.error = error;
  }

  static ApiException badRequest(String error, String message) {
    return new ApiException(400, error, message);
  }

  int status() {
    return status;
  }

  String error() {
    return error;
  }
}
