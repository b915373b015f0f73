package dev.fermata.samples.billing;

import dev.fermata.FermataClient;
import dev.fermata.FermataClient.StartOptions;
import dev.fermata.InstanceAlreadyExistsException;
import dev.fermata.host.FermataHost;
import dev.fermata.host.FunctionModule;
import dev.fermata.host.TimerInfo;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.Map;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The monthly billing sample in the Fermata host: the timer function {@value #TIMER} starts {@code
 * O_ProcessBillingSubscription} on the {@link BillingSettings#schedule() schedule}, under the day's
 * instance id ({@link MonthlyBilling#instanceIdFor}), unless that day's run already exists. A run
 * can also be started at any time with the host's {@code POST /api/orchestrators/{name}[/{id}]}.
 */
public final class BillingModule implements FunctionModule {
  /** The timer function's name: the method name of the scenario's timer trigger. */
  public static final String TIMER = "BillingSubscriptionDurableOrchestratorAsync";

  /** Overrides the schedule in the launcher, such as {@code "0 * * * * *"} (every minute). */
  public static final String SCHEDULE_VARIABLE = "FERMATA_SAMPLES_BILLING_SCHEDULE";

  /** Where the launcher keeps the simulated systems' SQLite file. */
  public static final String DATABASE_VARIABLE = "FERMATA_SAMPLES_BILLING_DB";

  static final Path DEFAULT_DATABASE = Path.of("fermata-data", "billing-systems.db");

  private static final Logger log = LoggerFactory.getLogger(BillingModule.class);

  private final BillingSettings settings;
  private final BillingSystems systems;
  private final Path database;

  /**
   * The scenario's settings, the schedule and file overridable by environment variables ({@value
   * #SCHEDULE_VARIABLE}, {@value #DATABASE_VARIABLE}); how the launcher creates it. The payment
   * service fails a quarter of its requests, to show the retries.
   */
  public BillingModule() {
    this(System.getenv());
  }

  BillingModule(Map<String, String> environment) {
    String schedule = environment.get(SCHEDULE_VARIABLE);
    BillingSettings d = BillingSettings.DEFAULTS;
    this.settings =
        schedule == null || schedule.isBlank()
            ? d
            : new BillingSettings(
                schedule, d.retryPolicy(), d.chargeRetryPolicy(), d.clientEmail());
    String file = environment.get(DATABASE_VARIABLE);
    this.database = file == null || file.isBlank() ? DEFAULT_DATABASE : Path.of(file);
    this.systems = null;
  }

  /** With these settings and systems, which the caller opened and closes. */
  public BillingModule(BillingSettings settings, BillingSystems systems) {
    this.settings = Objects.requireNonNull(settings, "settings");
    this.systems = Objects.requireNonNull(systems, "systems");
    this.database = null;
  }

  @Override
  public void register(FermataHost.Builder host) {
    BillingSystems used = systems;
    if (used == null) {
      used = openDemoSystems(database);
      host.closeOnStop(used);
    }
    BillingSystems registered = used;
    host.engine(b -> MonthlyBilling.register(b, settings, registered))
        .timer(TIMER, settings.schedule(), BillingModule::startTodaysRun);
  }

  /** The timer function: one run per day, whatever the schedule and however often it fires. */
  static void startTodaysRun(TimerInfo info, FermataClient client) {
    LocalDate day = LocalDate.ofInstant(info.scheduledTime(), ZoneOffset.UTC);
    String id = MonthlyBilling.instanceIdFor(day);
    if (client.getInstance(id).isPresent()) {
      log.info("Billing run {} exists already; not starting another", id);
      return;
    }
    try {
      client.scheduleNew(MonthlyBilling.ORCHESTRATOR, day, StartOptions.withId(id));
      log.info("Started billing run {}{}", id, info.isPastDue() ? " (past due)" : "");
    } catch (InstanceAlreadyExistsException raced) {
      log.info("Billing run {} was started meanwhile", id);
    }
  }

  /** Opens the systems' file, and fills an empty subscription store with a few due today. */
  private static BillingSystems openDemoSystems(Path file) {
    try {
      if (file.getParent() != null) {
        Files.createDirectories(file.getParent());
      }
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException("Cannot create the directory of " + file, e);
    }
    BillingSystems opened =
        BillingSystems.open(file, FaultPlan.random(0.25, 2026), Duration.ofMillis(100));
    if (opened.subscriptions().count() == 0) {
      LocalDate today = LocalDate.now(ZoneOffset.UTC);
      opened.subscriptions().save(new Subscription("s-001", "ada@example.com", "pro", 1900, today));
      opened
          .subscriptions()
          .save(new Subscription("s-002", "grace@example.com", "team", 4900, today));
      opened
          .subscriptions()
          .save(new Subscription("s-003", "linus@example.com", "basic", 500, today.minusDays(2)));
      log.info("Billing sample: added 3 subscriptions due today to {}", file);
    }
    return opened;
  }
}
