package dev.fermata.host;

import static dev.fermata.host.HostTestSupport.await;
import static org.assertj.core.api.Assertions.assertThat;

import dev.fermata.InstanceQuery;
import dev.fermata.InstanceState;
import dev.fermata.internal.host.TimerTriggers;
import dev.fermata.storetest.MutableClock;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TimerTriggersTest {
  @TempDir Path dir;

  private static List<String> instanceIds(FermataHost host, String prefix) {
    List<String> ids = new ArrayList<>();
    for (InstanceState s :
        host.fermata()
            .client()
            .query(InstanceQuery.all().withInstanceIdPrefix(prefix).withPageSize(1000))
            .instances()) {
      ids.add(s.getInstanceId());
    }
    ids.sort(null);
    return ids;
  }

  @Test
  void twoSchedulersRacingOnOneStore_fireEveryOccurrenceExactlyOnce() {
    Queue<TimerInfo> fired = new ConcurrentLinkedQueue<>();
    Instant start = Instant.parse("2026-01-01T00:00:00.500Z");
    MutableClock clock = new MutableClock(start);
    try (FermataHost host =
        FermataHost.builder(HostTestSupport.config(dir.resolve("t.db")))
            .clock(clock)
            .timer("tick", "* * * * * *", (info, client) -> fired.add(info))
            .build()
            .start()) {
      // A second scheduler for the same trigger on the same store, as a second host would run.
      TimerTriggers rival =
          new TimerTriggers(
              List.of(
                  new TimerTriggers.Trigger(
                      "tick", NcrontabSchedule.parse("* * * * * *"), (i, c) -> {})),
              ZoneOffset.UTC,
              clock);
      rival.start(host.fermata().client());
      try {
        for (int second = 1; second <= 6; second++) {
          clock.set(start.plusSeconds(second));
          int expected = second;
          await("occurrence " + second, () -> fired.size() == expected);
        }
      } finally {
        rival.close();
      }
      List<Instant> times = fired.stream().map(TimerInfo::scheduledTime).toList();
      assertThat(times)
          .containsExactly(
              Instant.parse("2026-01-01T00:00:01Z"),
              Instant.parse("2026-01-01T00:00:02Z"),
              Instant.parse("2026-01-01T00:00:03Z"),
              Instant.parse("2026-01-01T00:00:04Z"),
              Instant.parse("2026-01-01T00:00:05Z"),
              Instant.parse("2026-01-01T00:00:06Z"));
      assertThat(fired).noneMatch(TimerInfo::isPastDue);
      assertThat(instanceIds(host, "timer:tick:")).hasSize(6).doesNotHaveDuplicates();
      assertThat(rival.claimedCount() + host.timerClaims()).isEqualTo(6);
    }
  }

  @Test
  void afterDowntime_aMissedOccurrenceFiresOncePastDue_andANewTriggerDoesNotFirePastDue() {
    Queue<TimerInfo> ticks = new ConcurrentLinkedQueue<>();
    Queue<TimerInfo> fresh = new ConcurrentLinkedQueue<>();
    MutableClock clock = new MutableClock(Instant.parse("2026-01-01T00:00:00.500Z"));
    HostConfig config = HostTestSupport.config(dir.resolve("t.db"));

    try (FermataHost first =
        FermataHost.builder(config)
            .clock(clock)
            .timer("tick", "0 * * * * *", (info, client) -> ticks.add(info))
            .build()
            .start()) {
      clock.set(Instant.parse("2026-01-01T00:01:00.500Z"));
      await("the 00:01 occurrence", () -> ticks.size() == 1);
    }
    // Down from 00:01:00 to 00:05:30: the 00:02, 00:03, 00:04 and 00:05 occurrences are missed.
    clock.set(Instant.parse("2026-01-01T00:05:30Z"));
    try (FermataHost second =
        FermataHost.builder(config)
            .clock(clock)
            .timer("tick", "0 * * * * *", (info, client) -> ticks.add(info))
            .timer("fresh", "0 * * * * *", (info, client) -> fresh.add(info))
            .build()
            .start()) {
      await("the past-due occurrence", () -> ticks.size() == 2);
      clock.set(Instant.parse("2026-01-01T00:06:00.200Z"));
      await("the 00:06 occurrences", () -> ticks.size() == 3 && fresh.size() == 1);

      assertThat(ticks)
          .containsExactly(
              new TimerInfo("tick", Instant.parse("2026-01-01T00:01:00Z"), false),
              new TimerInfo("tick", Instant.parse("2026-01-01T00:02:00Z"), true),
              new TimerInfo("tick", Instant.parse("2026-01-01T00:06:00Z"), false));
      assertThat(fresh)
          .containsExactly(new TimerInfo("fresh", Instant.parse("2026-01-01T00:06:00Z"), false));
      assertThat(instanceIds(second, "timer:tick:"))
          .containsExactly(
              "timer:tick:2026-01-01T00:01:00Z",
              "timer:tick:2026-01-01T00:02:00Z",
              "timer:tick:2026-01-01T00:06:00Z");
    }
  }

  @Test
  void finishedClaimsOlderThanADay_arePurged_theLatestStays() {
    Queue<TimerInfo> fired = new ConcurrentLinkedQueue<>();
    Instant start = Instant.parse("2026-01-01T00:00:00.500Z");
    MutableClock clock = new MutableClock(start);
    try (FermataHost host =
        FermataHost.builder(HostTestSupport.config(dir.resolve("p.db")))
            .clock(clock)
            .timer("hourly", "0 0 * * * *", (info, client) -> fired.add(info))
            .build()
            .start()) {
      for (int hour = 1; hour <= 3; hour++) {
        clock.set(start.plus(Duration.ofHours(hour)));
        int expected = hour;
        await("occurrence " + hour, () -> fired.size() == expected);
      }
      assertThat(instanceIds(host, "timer:hourly:")).hasSize(3);

      // A day later (the host stalled): the latest occurrence fires, and the claims made over a
      // day before it go, once finished.
      clock.set(start.plus(Duration.ofHours(28)));
      await("the past-due occurrence", () -> fired.size() == 4);
      await(
          "the claim of 03:00 to finish (or to be purged already)",
          () ->
              host.fermata()
                  .client()
                  .getInstance("timer:hourly:2026-01-01T03:00:00Z", false)
                  .map(InstanceState::isFinished)
                  .orElse(true));
      clock.set(start.plus(Duration.ofHours(29)));
      await(
          "the old claims to be purged",
          () ->
              instanceIds(host, "timer:hourly:")
                  .equals(
                      List.of(
                          "timer:hourly:2026-01-02T04:00:00Z",
                          "timer:hourly:2026-01-02T05:00:00Z")));
      await("the 05:00 occurrence", () -> fired.size() == 5);
      assertThat(fired).filteredOn(TimerInfo::isPastDue).hasSize(1);
    }
  }

  @Test
  void aHostThatStallsPastSeveralOccurrences_firesTheLatestOncePastDue() {
    Queue<TimerInfo> fired = new ConcurrentLinkedQueue<>();
    MutableClock clock = new MutableClock(Instant.parse("2026-01-01T00:00:00.500Z"));
    try (FermataHost host =
        FermataHost.builder(HostTestSupport.config(dir.resolve("s.db")))
            .clock(clock)
            .timer("tick", "* * * * * *", (info, client) -> fired.add(info))
            .build()
            .start()) {
      clock.set(Instant.parse("2026-01-01T00:00:05.500Z"));
      await("the late occurrence", () -> fired.size() == 1);
      clock.set(Instant.parse("2026-01-01T00:00:06.500Z"));
      await("the next occurrence", () -> fired.size() == 2);
      assertThat(fired)
          .containsExactly(
              new TimerInfo("tick", Instant.parse("2026-01-01T00:00:05Z"), true),
              new TimerInfo("tick", Instant.parse("2026-01-01T00:00:06Z"), false));
      assertThat(instanceIds(host, "timer:tick:")).hasSize(2);
    }
  }

  @Test
  void timersFollowTheConfiguredTimeZone() {
    Queue<TimerInfo> fired = new ConcurrentLinkedQueue<>();
    // 09:00 in Tokyo (UTC+9) is 00:00 UTC.
    MutableClock clock = new MutableClock(Instant.parse("2026-01-01T23:59:59Z"));
    try (FermataHost host =
        FermataHost.builder(
                HostTestSupport.config(dir.resolve("z.db"))
                    .withTimeZone(java.time.ZoneId.of("Asia/Tokyo")))
            .clock(clock)
            .timer("morning", "0 0 9 * * *", (info, client) -> fired.add(info))
            .build()
            .start()) {
      clock.advance(Duration.ofSeconds(2));
      await("09:00 in Tokyo", () -> fired.size() == 1);
      assertThat(fired.peek().scheduledTime()).isEqualTo(Instant.parse("2026-01-02T00:00:00Z"));
    }
  }
}
