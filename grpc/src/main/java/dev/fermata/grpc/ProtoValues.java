package dev.fermata.grpc;

import com.google.protobuf.StringValue;
import com.google.protobuf.Timestamp;
import java.time.Instant;
import java.util.function.Consumer;

/**
 * The two value conversions every message needs: nullable strings and instants.
 *
 * <p>Fermata's payloads are JSON text or null, and null is not the same as {@code ""}. The proto
 * keeps the difference with {@code google.protobuf.StringValue} wrappers: an absent wrapper is
 * null, a present one holding {@code ""} is the empty string. So null must leave the field unset,
 * never set it to an empty wrapper.
 */
final class ProtoValues {

  private ProtoValues() {}

  /** Sets a wrapper field to {@code value}, or leaves it unset when {@code value} is null. */
  static void setString(String value, Consumer<StringValue> setter) {
    if (value != null) {
      setter.accept(StringValue.of(value));
    }
  }

  /**
   * The string in a wrapper field, or null when the field is unset. Pass the field's {@code has}
   * flag: an unset message field reads as the default wrapper, which holds {@code ""}.
   */
  static String string(boolean present, StringValue value) {
    return present ? value.getValue() : null;
  }

  /**
   * {@code instant} at full precision. The SDKs compare replayed times after they went through a
   * JSON round trip (see the protocol notes), so dropping the nanoseconds would change them.
   */
  static Timestamp timestamp(Instant instant) {
    return Timestamp.newBuilder()
        .setSeconds(instant.getEpochSecond())
        .setNanos(instant.getNano())
        .build();
  }

  /** Sets a timestamp field to {@code instant}, or leaves it unset when it is null. */
  static void setTimestamp(Instant instant, Consumer<Timestamp> setter) {
    if (instant != null) {
      setter.accept(timestamp(instant));
    }
  }

  /** The instant in a timestamp field, or null when the field is unset. */
  static Instant instant(boolean present, Timestamp timestamp) {
    return present ? Instant.ofEpochSecond(timestamp.getSeconds(), timestamp.getNanos()) : null;
  }

  /**
   * A time the caller set, or null. Some SDKs (the JavaScript one) send the zero timestamp, the
   * Unix epoch, for a time they leave unset; no caller means 1970.
   */
  static Instant given(boolean present, Timestamp time) {
    boolean unset = !present || (time.getSeconds() == 0 && time.getNanos() == 0);
    return unset ? null : instant(true, time);
  }
}
