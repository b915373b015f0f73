package dev.fermata.host;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class NcrontabScheduleTest {
  private static List<String> next(String expr, String from, int n, ZoneId zone) {
    NcrontabSchedule s = NcrontabSchedule.parse(expr);
    List<String> out = new ArrayList<>();
    Instant t = Instant.parse(from);
    for (int i = 0; i < n; i++) {
      t = s.next(t, zone);
      out.add(t.toString());
    }
    return out;
  }

  @Test
  void everyDayAtOne() {
    assertThat(next("0 0 1 * * *", "2026-03-10T00:59:59Z", 2, ZoneOffset.UTC))
        .containsExactly("2026-03-10T01:00:00Z", "2026-03-11T01:00:00Z");
  }

  @Test
  void stepsRangesListsAndNames() {
    assertThat(next("0 */5 * * * *", "2026-03-10T10:02:00Z", 3, ZoneOffset.UTC))
        .containsExactly("2026-03-10T10:05:00Z", "2026-03-10T10:10:00Z", "2026-03-10T10:15:00Z");
    // 2026-03-13 is a Friday: weekdays at 09:30 skip the weekend.
    assertThat(next("0 30 9 * * 1-5", "2026-03-13T10:00:00Z", 2, ZoneOffset.UTC))
        .containsExactly("2026-03-16T09:30:00Z", "2026-03-17T09:30:00Z");
    assertThat(next("0 30 9 * * mon-FRI", "2026-03-13T10:00:00Z", 1, ZoneOffset.UTC))
        .containsExactly("2026-03-16T09:30:00Z");
    assertThat(next("15,45 0 0 1 jan,Jul *", "2026-02-01T00:00:00Z", 3, ZoneOffset.UTC))
        .containsExactly("2026-07-01T00:00:15Z", "2026-07-01T00:00:45Z", "2027-01-01T00:00:15Z");
    assertThat(next("* * * * * *", "2026-03-10T10:00:00.400Z", 2, ZoneOffset.UTC))
        .containsExactly("2026-03-10T10:00:01Z", "2026-03-10T10:00:02Z");
    assertThat(next("0 0 12 * * 0", "2026-03-10T00:00:00Z", 1, ZoneOffset.UTC)) // Sunday = 0
        .containsExactly("2026-03-15T12:00:00Z");
    assertThat(next("0 0 0 29 2 *", "2026-01-01T00:00:00Z", 1, ZoneOffset.UTC))
        .containsExactly("2028-02-29T00:00:00Z");
    assertThat(next("10-20/5 0 0 * * *", "2026-01-01T00:00:00Z", 3, ZoneOffset.UTC))
        .containsExactly("2026-01-01T00:00:10Z", "2026-01-01T00:00:15Z", "2026-01-01T00:00:20Z");
  }

  @Test
  void clockTimesInAConfiguredZone_followDaylightSaving() {
    ZoneId paris = ZoneId.of("Europe/Paris");
    // 09:00 Paris is 08:00 UTC in winter, 07:00 UTC after the switch on 2026-03-29.
    assertThat(next("0 0 9 * * *", "2026-03-28T12:00:00Z", 2, paris))
        .containsExactly("2026-03-29T07:00:00Z", "2026-03-30T07:00:00Z");
    // 02:30 does not exist on 2026-03-29 in Paris: it fires at the first instant after the gap.
    assertThat(next("0 30 2 * * *", "2026-03-28T12:00:00Z", 2, paris))
        .containsExactly("2026-03-29T01:30:00Z", "2026-03-30T00:30:00Z");
  }

  @Test
  void invalidExpressions_nameTheFieldAndWhatItAccepts() {
    assertThatThrownBy(() -> NcrontabSchedule.parse("0 0 1 * *"))
        .hasMessageContaining("must have 6 fields")
        .hasMessageContaining("{second}")
        .hasMessageContaining("got 5");
    assertThatThrownBy(() -> NcrontabSchedule.parse("0 60 * * * *"))
        .hasMessageContaining("invalid minute field '60'")
        .hasMessageContaining("0-59");
    assertThatThrownBy(() -> NcrontabSchedule.parse("0 0 25 * * *"))
        .hasMessageContaining("invalid hour field '25'");
    assertThatThrownBy(() -> NcrontabSchedule.parse("0 0 0 * foo *"))
        .hasMessageContaining("invalid month field 'foo'")
        .hasMessageContaining("JAN");
    assertThatThrownBy(() -> NcrontabSchedule.parse("0 0 0 * * 7"))
        .hasMessageContaining("day-of-week");
    assertThatThrownBy(() -> NcrontabSchedule.parse("0 */0 * * * *"))
        .hasMessageContaining("minute");
    assertThatThrownBy(() -> NcrontabSchedule.parse("0 0 0 20-10 * *"))
        .hasMessageContaining("runs backwards");
    assertThatThrownBy(() -> NcrontabSchedule.parse("0 0 0 30 2 *"))
        .hasMessageContaining("never occurs");
    assertThatThrownBy(() -> NcrontabSchedule.parse(" ")).hasMessageContaining("6 fields");
  }
}
