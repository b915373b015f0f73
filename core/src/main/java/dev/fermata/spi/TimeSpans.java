package dev.fermata.spi;

import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads durations written as .NET TimeSpans ({@code "00:00:30"}, {@code "1.02:00:00"}, {@code
 * "00:00:00.250"}), the form host.json uses, so that a copied host.json setting keeps its meaning.
 */
public final class TimeSpans {
  private static final Pattern TIME_SPAN =
      Pattern.compile("(?:(\\d+)\\.)?(\\d{1,2}):(\\d{1,2}):(\\d{1,2})(?:\\.(\\d{1,7}))?");

  /** What a setting accepts, for error messages. */
  public static final String ACCEPTED = "a time span [d.]hh:mm:ss[.fff], for example \"00:00:30\"";

  private TimeSpans() {}

  /**
   * Parses a time span.
   *
   * @param setting the setting's name, for the error message
   * @throws IllegalArgumentException naming the setting and the accepted form
   */
  public static Duration parse(String setting, String value) {
    Matcher m = value == null ? null : TIME_SPAN.matcher(value.trim());
    if (m == null || !m.matches()) {
      throw new IllegalArgumentException(
          setting
              + " must be "
              + ACCEPTED
              + ", got "
              + (value == null ? "nothing" : "'" + value + "'"));
    }
    int hours = Integer.parseInt(m.group(2));
    int minutes = Integer.parseInt(m.group(3));
    int seconds = Integer.parseInt(m.group(4));
    if (hours > 23 || minutes > 59 || seconds > 59) {
      throw new IllegalArgumentException(
          setting
              + " must be "
              + ACCEPTED
              + " with hours 0-23, minutes and seconds 0-59, got '"
              + value
              + "'");
    }
    Duration d =
        Duration.ofDays(m.group(1) == null ? 0 : Long.parseLong(m.group(1)))
            .plusHours(hours)
            .plusMinutes(minutes)
            .plusSeconds(seconds);
    if (m.group(5) != null) {
      String fraction = (m.group(5) + "000000000").substring(0, 9);
      d = d.plusNanos(Long.parseLong(fraction));
    }
    return d;
  }

  /** Formats a duration as a time span, {@code [d.]hh:mm:ss[.fff]}. */
  public static String format(Duration d) {
    long days = d.toDays();
    String base =
        String.format("%02d:%02d:%02d", d.toHoursPart(), d.toMinutesPart(), d.toSecondsPart());
    String millis = d.toMillisPart() == 0 ? "" : String.format(".%03d", d.toMillisPart());
    return (days > 0 ? days + "." : "") + base + millis;
  }
}
