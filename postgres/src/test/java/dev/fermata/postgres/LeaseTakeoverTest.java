package dev.fermata.postgres;

import static dev.fermata.storetest.CheckpointBuilder.episode;
import static dev.fermata.storetest.StoreFixtures.newInstance;
import static dev.fermata.storetest.StoreFixtures.pendingRecord;
import static dev.fermata.storetest.StoreFixtures.raised;
import static dev.fermata.storetest.StoreFixtures.startEvent;
import static dev.fermata.storetest.StoreFixtures.task;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.fermata.OrchestrationStatus;
import dev.fermata.history.HistoryEvent;
import dev.fermata.postgres.support.TestPostgres;
import dev.fermata.spi.ActivityWorkItem;
import dev.fermata.spi.InboxMessage;
import dev.fermata.spi.InstanceRecord;
import dev.fermata.spi.NewMessage;
import dev.fermata.spi.OrchestrationWorkItem;
import dev.fermata.spi.StaleLockException;
import dev.fermata.storetest.MutableClock;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Two workers on one hub: a lease that runs out is taken over, and the former owner's checkpoint or
 * result is refused (fencing); a lease that is renewed is not taken.
 */
class LeaseTakeoverTest {
  private static final Instant T0 = Instant.parse("2030-01-01T00:00:00Z");
  private static final Duration WAIT = Duration.ofSeconds(10);

  /**
   * Long in clock time, so the tests move the clock past it; renewals (every third of it in real
   * time) cannot happen while a test runs.
   */
  private static final Duration LEASE = Duration.ofMinutes(10);

  private static TestPostgres postgres;
  private static int hubs;
  private final MutableClock clock = new MutableClock(T0);
  private final List<PostgresStore> stores = new ArrayList<>();

  @BeforeAll
  static void createDatabase() {
    postgres = TestPostgres.createDatabase();
  }

  @AfterAll
  static void dropDatabase() {
    postgres.close();
  }

  @AfterEach
  void closeStores() {
    stores.forEach(PostgresStore::close);
  }

  @Test
  void anExpiredInstanceLease_isTakenOver_andTheFormerOwnersCheckpointIsRefused() throws Exception {
    String hub = "takeover" + ++hubs;
    PostgresStore first = worker(hub, LEASE, clock);
    PostgresStore second = worker(hub, LEASE, clock);
    InstanceRecord record = pendingRecord("x", "Flow", T0);
    first.createInstance(newInstance(record));
    OrchestrationWorkItem stale = first.nextOrchestration(WAIT).orElseThrow();
    assertThat(second.nextOrchestration(Duration.ofMillis(200))).as("still leased").isEmpty();

    clock.advance(LEASE.plusSeconds(1));
    OrchestrationWorkItem current = second.nextOrchestration(WAIT).orElseThrow();

    assertThat(takeovers(second, "instance")).isEqualTo(1);
    assertThat(takeovers(first, "instance")).isZero();
    assertThat(current.lockToken()).isNotEqualTo(stale.lockToken());
    assertThat(current.messages()).extracting(InboxMessage::deliveryCount).containsExactly(1);
    Throwable refused =
        catchThrowable(
            () ->
                first
                    .checkpoint(
                        episode(stale, 0)
                            .events(startEvent(record))
                            .status(OrchestrationStatus.COMPLETED, clock.instant())
                            .build())
                    .join());
    assertThat(refused).isInstanceOf(CompletionException.class);
    assertThat(refused.getCause()).isInstanceOf(StaleLockException.class);
    assertThat(second.getHistory("x")).isEmpty();
    assertThat(second.getInstance("x").orElseThrow().status())
        .isEqualTo(OrchestrationStatus.PENDING);

    HistoryEvent started = new HistoryEvent.OrchestratorStarted(clock.instant());
    second
        .checkpoint(
            episode(current, 0)
                .events(started, startEvent(record))
                .status(OrchestrationStatus.RUNNING, clock.instant())
                .build())
        .get(WAIT.toSeconds(), TimeUnit.SECONDS);
    assertThat(first.getHistory("x")).containsExactly(started, startEvent(record));
  }

  @Test
  void anExpiredTaskLease_isTakenOver_andTheFormerOwnersResultIsDropped() throws Exception {
    String hub = "takeover" + ++hubs;
    PostgresStore first = worker(hub, LEASE, clock);
    PostgresStore second = worker(hub, LEASE, clock);
    InstanceRecord record = pendingRecord("y", "Flow", T0);
    first.createInstance(newInstance(record));
    OrchestrationWorkItem item = first.nextOrchestration(WAIT).orElseThrow();
    first
        .checkpoint(
            episode(item, 0)
                .events(startEvent(record))
                .task(task(record, 0, "Work"))
                .status(OrchestrationStatus.RUNNING, T0)
                .build())
        .join();
    ActivityWorkItem stale = first.nextActivity(WAIT).orElseThrow();
    assertThat(second.nextActivity(Duration.ofMillis(200))).as("still leased").isEmpty();

    clock.advance(LEASE.plusSeconds(1));
    ActivityWorkItem current = second.nextActivity(WAIT).orElseThrow();
    assertThat(takeovers(second, "task")).isEqualTo(1);
    assertThat(takeovers(second, "instance")).as("the instance was released, not taken").isZero();

    assertThat(current.id()).isEqualTo(stale.id());
    assertThat(current.deliveryCount()).isEqualTo(1);
    HistoryEvent late = new HistoryEvent.TaskCompleted(clock.instant(), 0, "\"late\"");
    HistoryEvent result = new HistoryEvent.TaskCompleted(clock.instant(), 0, "\"result\"");
    Throwable dropped = catchThrowable(() -> first.completeActivity(stale, late).join());
    assertThat(dropped.getCause()).isInstanceOf(StaleLockException.class);
    second.completeActivity(current, result).join();
    assertThat(first.nextOrchestration(WAIT).orElseThrow().messages())
        .extracting(InboxMessage::event)
        .containsExactly(result);
  }

  @Test
  void aLeaseRenewedWhileTheEpisodeRuns_isNotTakenOver() throws Exception {
    String hub = "renewed" + ++hubs;
    Duration shortLease = Duration.ofSeconds(3);
    PostgresStore owner = worker(hub, shortLease, InstantSource.system());
    PostgresStore other = worker(hub, shortLease, InstantSource.system());
    owner.createInstance(newInstance(pendingRecord("z", "Flow", Instant.now())));
    OrchestrationWorkItem item = owner.nextOrchestration(WAIT).orElseThrow();
    owner.sendMessage(
        NewMessage.now("z", raised("more", Instant.now())),
        EnumSet.allOf(OrchestrationStatus.class));

    // More than two lease lengths: without renewals the other worker would take it over.
    assertThat(other.nextOrchestration(shortLease.multipliedBy(2).plusSeconds(1))).isEmpty();

    owner
        .checkpoint(
            episode(item, 0)
                .events(startEvent(item.instance()))
                .status(OrchestrationStatus.RUNNING, Instant.now())
                .build())
        .get(WAIT.toSeconds(), TimeUnit.SECONDS);
    assertThat(other.nextOrchestration(WAIT).orElseThrow().messages())
        .extracting(m -> m.event().eventType())
        .containsExactly(raised("more", T0).eventType());
    assertThat(takeovers(other, "instance")).as("released by its checkpoint, not taken").isZero();
  }

  private PostgresStore worker(String hub, Duration lease, InstantSource workerClock) {
    PostgresStore store = PostgresStore.open(postgres.options(hub).leaseDuration(lease).build());
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    store.registerMetrics(registry);
    registries.put(store, registry);
    store.start(workerClock);
    stores.add(store);
    return store;
  }

  private final Map<PostgresStore, SimpleMeterRegistry> registries = new HashMap<>();

  /** The store's takeover count of {@code work}, as the engine's registry would show it. */
  private double takeovers(PostgresStore store, String work) {
    return registries
        .get(store)
        .get("fermata.store.lease.takeovers")
        .tag("work", work)
        .functionCounter()
        .count();
  }
}
