package dev.fermata.spi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class TimeSpansTest {
  @Test
  void readsHostJsonTimeSpans() {
    assertThat(TimeSpans.parse("s", "00:00:30")).isEqualTo(Duration.ofSeconds(30));
    assertThat(TimeSpans.parse("s", "1.02:03:04"))
        .isEqualTo(Duration.ofDays(1).plusHours(2).plusMinutes(3).plusSeconds(4));
    assertThat(TimeSpans.parse("s", " 00:00:00.25 ")).isEqualTo(Duration.ofMillis(250));
    assertThat(TimeSpans.format(Duration.ofMillis(90_250))).isEqualTo("00:01:30.250");
    assertThat(TimeSpans.format(Duration.ofHours(26))).isEqualTo("1.02:00:00");
  }

  @Test
  void refusesOtherForms_namingTheSetting() {
    for (String bad : new String[] {"30s", "30", "00:60:00", "24:00:00", "-00:00:01", ""}) {
      assertThatThrownBy(() -> TimeSpans.parse("maxQueuePollingInterval", bad))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("maxQueuePollingInterval must be a time span");
    }
    assertThatThrownBy(() -> TimeSpans.parse("x", null)).hasMessageContaining("got nothing");
  }
}
