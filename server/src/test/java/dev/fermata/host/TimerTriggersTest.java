package dev.fermata.host;

import static dev.fermata.host.HostTestSupport.await;
import static org.assertj.core.api.Assertions.assertThat;

import dev.fermata.FermataClient.StartOptions;
import dev.fermata.InstanceQuery;
import dev.fermata.InstanceState;
import dev.fermata.OrchestrationStatus;
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
  void everyOccurrenceFiresOnce_andClaimsTheNextAhead_whichASecondStartLeavesAlone() {
    Queue<TimerInfo> fired = new ConcurrentLinkedQueue<>();
    Instant start = Instant.parse("2026-01-01T00:00:00.500Z");
    MutableClock clock = new MutableClock(start);
    try (FermataHost host =
        FermataHost.builder(HostTestSupport.config(dir.resolve("t.db")))
            .clock(clock)
            .timer("tick", "* * * * * *", (info, client) -> fired.add(info))
            .build()
            .start()) {
      for (int second = 1; second <= 6; second++) {
        clock.set(start.plusSeconds(second));
        int expected = second;
        await("occurrence " + second, () -> fired.size() == expected);
        // The start of a second host on the same store finds the next claim made and adds none.
        TimerTriggers rival =
            new TimerTriggers(
                List.of(
                    new TimerTriggers.Trigger(
                        "tick", NcrontabSchedule.parse("* * * * * *"), (i, c) -> {})),
                ZoneOffset.UTC);
        rival.attach(host.fermata());
        rival.claimNextOccurrences();
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
      assertThat(host.timerRuns()).isEqualTo(6);
      await(
          "the claim of 00:00:07",
          () -> instanceIds(host, "timer:tick:").contains("timer:tick:2026-01-01T00:00:07Z"));
      assertThat(instanceIds(host, "timer:tick:")).hasSize(7);
      InstanceState next =
          host.fermata().client().getInstance("timer:tick:2026-01-01T00:00:07Z").orElseThrow();
      assertThat(next.getStatus()).isEqualTo(OrchestrationStatus.PENDING);
      assertThat(next.getScheduledStartAt()).isEqualTo(Instant.parse("2026-01-01T00:00:07Z"));
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

      // The claim of 00:02 comes due at 00:05:30 and fires as the latest occurrence due, past due.
      assertThat(ticks)
          .containsExactly(
              new TimerInfo("tick", Instant.parse("2026-01-01T00:01:00Z"), false),
              new TimerInfo("tick", Instant.parse("2026-01-01T00:05:00Z"), true),
              new TimerInfo("tick", Instant.parse("2026-01-01T00:06:00Z"), false));
      assertThat(fresh)
          .containsExactly(new TimerInfo("fresh", Instant.parse("2026-01-01T00:06:00Z"), false));
      await(
          "the claim of 00:07",
          () ->
              instanceIds(second, "timer:tick:")
                  .equals(
                      List.of(
                          "timer:tick:2026-01-01T00:01:00Z",
                          "timer:tick:2026-01-01T00:02:00Z",
                          "timer:tick:2026-01-01T00:06:00Z",
                          "timer:tick:2026-01-01T00:07:00Z")));
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
      // The three that ran, and the claim of 04:00.
      await("the claim of 04:00", () -> instanceIds(host, "timer:hourly:").size() == 4);

      // A day later (the host stalled): the claim of 04:00 fires once, as the 04:00 of the next
      // day, past due; the claims made over a day before it go, once finished.
      clock.set(start.plus(Duration.ofHours(28)));
      await("the past-due occurrence", () -> fired.size() == 4);
      await(
          "the old claims to be purged",
          () ->
              instanceIds(host, "timer:hourly:")
                  .equals(
                      List.of(
                          "timer:hourly:2026-01-01T04:00:00Z",
                          "timer:hourly:2026-01-02T05:00:00Z")));
      clock.set(start.plus(Duration.ofHours(29)));
      await("the 05:00 occurrence", () -> fired.size() == 5);
      await(
          "the late claim to be purged too",
          () ->
              instanceIds(host, "timer:hourly:")
                  .equals(
                      List.of(
                          "timer:hourly:2026-01-02T05:00:00Z",
                          "timer:hourly:2026-01-02T06:00:00Z")));
      assertThat(fired)
          .filteredOn(TimerInfo::isPastDue)
          .extracting(TimerInfo::scheduledTime)
          .containsExactly(Instant.parse("2026-01-02T04:00:00Z"));
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
      await(
          "the claim of 00:00:07",
          () ->
              instanceIds(host, "timer:tick:")
                  .equals(
                      List.of(
                          "timer:tick:2026-01-01T00:00:01Z",
                          "timer:tick:2026-01-01T00:00:06Z",
                          "timer:tick:2026-01-01T00:00:07Z")));
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

  @Test
  void aClaimOfAnEarlierRelease_runsAndHolds_andTheNextOccurrenceIsClaimedAtStart() {
    Queue<TimerInfo> fired = new ConcurrentLinkedQueue<>();
    MutableClock clock = new MutableClock(Instant.parse("2026-01-01T00:00:00.500Z"));
    HostConfig config = HostTestSupport.config(dir.resolve("l.db"));
    Instant claimed = Instant.parse("2026-01-01T00:00:00Z");
    Instant holdUntil = Instant.parse("2026-01-01T00:01:00Z");
    // An earlier release claimed occurrences as they came and kept each running until the next.
    // Its claim is made here by hand, with a start a little ahead so that this host leaves it.
    try (FermataHost earlier =
        FermataHost.builder(config)
            .clock(clock)
            .timer("other", "0 0 0 1 1 *", (info, client) -> {})
            .build()
            .start()) {
      earlier
          .fermata()
          .client()
          .scheduleNew(
              TimerTriggers.ORCHESTRATOR,
              new TimerTriggers.Occurrence("legacy", claimed, false, holdUntil),
              new StartOptions("timer:legacy:" + claimed, Instant.parse("2026-01-01T00:00:01Z")));
    }
    clock.set(Instant.parse("2026-01-01T00:00:02Z"));
    try (FermataHost host =
        FermataHost.builder(config)
            .clock(clock)
            .timer("legacy", "0 * * * * *", (info, client) -> fired.add(info))
            .build()
            .start()) {
      await("the earlier release's claim to run", () -> fired.size() == 1);
      clock.set(Instant.parse("2026-01-01T00:01:00.200Z"));
      await("the 00:01 occurrence", () -> fired.size() == 2);
      await(
          "the held claim to finish",
          () ->
              host.fermata()
                  .client()
                  .getInstance("timer:legacy:" + claimed, false)
                  .map(InstanceState::isFinished)
                  .orElse(false));

      assertThat(fired)
          .containsExactly(
              new TimerInfo("legacy", claimed, false), new TimerInfo("legacy", holdUntil, false));
      await(
          "the claim of 00:02",
          () ->
              instanceIds(host, "timer:legacy:")
                  .equals(
                      List.of(
                          "timer:legacy:2026-01-01T00:00:00Z",
                          "timer:legacy:2026-01-01T00:01:00Z",
                          "timer:legacy:2026-01-01T00:02:00Z")));
    }
  }
}
