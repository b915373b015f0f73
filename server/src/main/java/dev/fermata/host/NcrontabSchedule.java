package dev.fermata.host;

import java.time.DayOfWeek;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.BitSet;
import java.util.List;
import java.util.Locale;

/**
 * A timer schedule in the 6-field NCRONTAB format of Azure Functions: {@code {second} {minute}
 * {hour} {day} {month} {day-of-week}}. Each field is {@code *}, a value, a range {@code a-b}, a
 * list {@code a,b}, or a step {@code *}{@code /n} or {@code a-b/n}; months and days of the week may
 * be English three-letter names, case-insensitive; Sunday is 0. As in NCrontab, a time matches when
 * every field matches (day of month and day of week are both required).
 *
 * <pre>{@code
 * NcrontabSchedule s = NcrontabSchedule.parse("0 30 9 * * 1-5"); // weekdays at 09:30:00
 * Instant next = s.next(Instant.now(), ZoneId.of("Europe/Paris"));
 * }</pre>
 */
public final class NcrontabSchedule {
  private static final List<String> MONTHS =
      List.of("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC");
  private static final List<String> DAYS = List.of("SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT");
  private static final String SHAPE = "{second} {minute} {hour} {day} {month} {day-of-week}";

  /** How far {@link #next} looks: long enough for 29 February on a given weekday. */
  private static final int SEARCH_YEARS = 30;

  private final String expression;
  private final BitSet seconds;
  private final BitSet minutes;
  private final BitSet hours;
  private final BitSet days;
  private final BitSet months;
  private final BitSet daysOfWeek;

  private NcrontabSchedule(String expression, BitSet[] fields) {
    this.expression = expression;
    this.seconds = fields[0];
    this.minutes = fields[1];
    this.hours = fields[2];
    this.days = fields[3];
    this.months = fields[4];
    this.daysOfWeek = fields[5];
  }

  /**
   * Parses an expression.
   *
   * @throws IllegalArgumentException naming the field that is wrong and what it accepts, or saying
   *     that the schedule never occurs (such as 30 February)
   */
  public static NcrontabSchedule parse(String expression) {
    if (expression == null || expression.isBlank()) {
      throw new IllegalArgumentException(
          "A timer schedule must have 6 fields " + SHAPE + ", got nothing");
    }
    String[] parts = expression.trim().split("\\s+");
    if (parts.length != 6) {
      throw new IllegalArgumentException(
          "The timer schedule '"
              + expression
              + "' must have 6 fields "
              + SHAPE
              + " (seconds first), got "
              + parts.length);
    }
    BitSet[] fields = {
      field(expression, "second", parts[0], 0, 59, null),
      field(expression, "minute", parts[1], 0, 59, null),
      field(expression, "hour", parts[2], 0, 23, null),
      field(expression, "day", parts[3], 1, 31, null),
      field(expression, "month", parts[4], 1, 12, MONTHS),
      field(expression, "day-of-week", parts[5], 0, 6, DAYS)
    };
    NcrontabSchedule schedule = new NcrontabSchedule(expression.trim(), fields);
    if (schedule.next(Instant.parse("2000-01-01T00:00:00Z"), ZoneOffset.UTC) == null) {
      throw new IllegalArgumentException(
          "The timer schedule '" + expression + "' never occurs (no such day in any month)");
    }
    return schedule;
  }

  private static BitSet field(
      String expression, String name, String text, int min, int max, List<String> names) {
    BitSet set = new BitSet(max + 1);
    for (String item : text.split(",", -1)) {
      int step = 1;
      String range = item;
      int slash = item.indexOf('/');
      if (slash >= 0) {
        step = number(expression, name, item.substring(slash + 1), 1, max - min + 1, null);
        range = item.substring(0, slash);
      }
      int from;
      int to;
      if (range.equals("*")) {
        from = min;
        to = max;
      } else if (range.indexOf('-') > 0) {
        int dash = range.indexOf('-');
        from = number(expression, name, range.substring(0, dash), min, max, names);
        to = number(expression, name, range.substring(dash + 1), min, max, names);
        if (to < from) {
          throw invalid(expression, name, item, min, max, names, "the range runs backwards");
        }
      } else {
        from = number(expression, name, range, min, max, names);
        to = slash >= 0 ? max : from;
      }
      for (int v = from; v <= to; v += step) {
        set.set(v);
      }
    }
    return set;
  }

  private static int number(
      String expression, String name, String text, int min, int max, List<String> names) {
    if (names != null) {
      int i = names.indexOf(text.toUpperCase(Locale.ROOT));
      if (i >= 0) {
        return names == MONTHS ? i + 1 : i;
      }
    }
    try {
      int v = Integer.parseInt(text);
      if (v >= min && v <= max) {
        return v;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    throw invalid(expression, name, text, min, max, names, null);
  }

  private static IllegalArgumentException invalid(
      String expression,
      String name,
      String text,
      int min,
      int max,
      List<String> names,
      String why) {
    return new IllegalArgumentException(
        "The timer schedule '"
            + expression
            + "' has an invalid "
            + name
            + " field '"
            + text
            + "'"
            + (why == null ? "" : " (" + why + ")")
            + ": it accepts *, values "
            + min
            + "-"
            + max
            + (names == null ? "" : " or names " + names)
            + ", ranges a-b, lists a,b and steps */n");
  }

  /**
   * The first occurrence strictly after {@code after}, reading the schedule as clock times in
   * {@code zone}; null if there is none within 30 years. A local time skipped by a daylight-saving
   * change fires shifted forward by the length of the gap (02:30 becomes 03:30); a repeated one
   * fires once, at its first pass.
   */
  public Instant next(Instant after, ZoneId zone) {
    LocalDateTime t =
        LocalDateTime.ofInstant(after, zone).truncatedTo(ChronoUnit.SECONDS).plusSeconds(1);
    LocalDateTime limit = t.plusYears(SEARCH_YEARS);
    while (t.isBefore(limit)) {
      if (!months.get(t.getMonthValue())) {
        t = t.withDayOfMonth(1).truncatedTo(ChronoUnit.DAYS).plusMonths(1);
      } else if (!days.get(t.getDayOfMonth()) || !daysOfWeek.get(sundayZero(t.getDayOfWeek()))) {
        t = t.truncatedTo(ChronoUnit.DAYS).plusDays(1);
      } else if (!hours.get(t.getHour())) {
        t = t.truncatedTo(ChronoUnit.HOURS).plusHours(1);
      } else if (!minutes.get(t.getMinute())) {
        t = t.truncatedTo(ChronoUnit.MINUTES).plusMinutes(1);
      } else if (!seconds.get(t.getSecond())) {
        t = t.plusSeconds(1);
      } else {
        Instant candidate = t.atZone(zone).toInstant();
        if (candidate.isAfter(after)) {
          return candidate;
        }
        t = t.plusSeconds(1);
      }
    }
    return null;
  }

  private static int sundayZero(DayOfWeek d) {
    return d.getValue() % 7;
  }

  /** The expression as written. */
  @Override
  public String toString() {
    return expression;
  }
}
