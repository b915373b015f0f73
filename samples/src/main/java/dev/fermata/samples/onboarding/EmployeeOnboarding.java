package dev.fermata.samples.onboarding;

import dev.fermata.Fermata;
import dev.fermata.OrchestrationContext;
import dev.fermata.Task;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Employee onboarding: fan-out/fan-in over three independent steps, one sub-orchestration per
 * employee for a whole list, and a human approval with a deadline for expensive equipment.
 */
public final class EmployeeOnboarding {
  public static final String ONBOARDING = "OnboardingOrchestrator";
  public static final String PARALLEL_ONBOARDING = "ParallelOnboardingOrchestrator";
  public static final String ONBOARDING_WITH_APPROVAL = "OnboardingOrchestratorExternalEvent";

  public static final String ACCESS_CARD = "AccessCardCreationActivity";
  public static final String IT_EQUIPMENT = "ItEquipmentOrderActivity";
  public static final String WELCOME_EMAIL = "WelcomeEmailActivity";
  public static final String CHECK_EQUIPMENT_VALUE = "CheckItEquipmentValueByRoleActivity";

  public static final String APPROVAL_EVENT = "ApprovalRequest";
  public static final String APPROVED = "approved";
  public static final String APPROVAL_NEEDED = "approval needed";
  public static final String DECLINED = "Order was declined";

  private static final Logger log = LoggerFactory.getLogger(EmployeeOnboarding.class);

  private EmployeeOnboarding() {}

  /** Adds the sample's orchestrators and activities to {@code builder}. */
  public static Fermata.Builder register(Fermata.Builder builder, OnboardingSettings settings) {
    return builder
        .orchestrator(ONBOARDING, Employee.class, EmployeeOnboarding::onboard)
        .orchestrator(PARALLEL_ONBOARDING, OnboardingRequest.class, EmployeeOnboarding::onboardAll)
        .orchestrator(
            ONBOARDING_WITH_APPROVAL,
            Employee.class,
            (ctx, employee) -> orderEquipmentWithApproval(ctx, employee, settings))
        .activity(ACCESS_CARD, Employee.class, (ctx, e) -> createAccessCard(e))
        .activity(IT_EQUIPMENT, Employee.class, (ctx, e) -> orderItEquipment(e))
        .activity(WELCOME_EMAIL, Employee.class, (ctx, e) -> sendWelcomeEmail(e))
        .activity(
            CHECK_EQUIPMENT_VALUE,
            Employee.class,
            (ctx, e) -> "sales".equals(e.role()) ? APPROVAL_NEEDED : APPROVED);
  }

  /** The three steps do not depend on each other, so they run in parallel. */
  static List<String> onboard(OrchestrationContext ctx, Employee employee) {
    requireNamed(employee, ONBOARDING);
    return Task.allOf(
            ctx.callActivity(ACCESS_CARD, employee, String.class),
            ctx.callActivity(IT_EQUIPMENT, employee, String.class),
            ctx.callActivity(WELCOME_EMAIL, employee, String.class))
        .await();
  }

  /**
   * One {@code OnboardingOrchestrator} per employee, as sub-orchestrations with readable instance
   * ids ({@code parentId:employeeName}), all running at once.
   */
  static List<List<String>> onboardAll(OrchestrationContext ctx, OnboardingRequest request) {
    if (request == null || request.employees2onboard() == null) {
      ctx.getLogger().warn("No employees to onboard");
      return List.of();
    }
    List<Task<String[]>> onboardings = new ArrayList<>();
    for (Employee employee : request.employees2onboard()) {
      requireNamed(employee, PARALLEL_ONBOARDING);
      String childId = ctx.getInstanceId() + ":" + employee.name();
      onboardings.add(ctx.callSubOrchestrator(ONBOARDING, employee, childId, String[].class));
    }
    // The context's logger is silent during replay, so this line appears once per instance.
    ctx.getLogger().info("Starting {} sub-orchestrations for update", onboardings.size());
    return Task.allOf(onboardings).await().stream().map(List::of).toList();
  }

  /**
   * Equipment for some roles costs more than the limit and needs a manager's approval, which must
   * arrive as the {@code ApprovalRequest} event within the approval timeout.
   */
  static String orderEquipmentWithApproval(
      OrchestrationContext ctx, Employee employee, OnboardingSettings settings) {
    requireNamed(employee, ONBOARDING_WITH_APPROVAL);
    String check = ctx.callActivity(CHECK_EQUIPMENT_VALUE, employee, String.class).await();
    boolean approved = APPROVED.equals(check);
    if (!approved) {
      Task<Void> timeout = ctx.createTimer(settings.approvalTimeout());
      // Any JSON may arrive: take it as it comes, so a payload of another shape declines the
      // order instead of failing the instance.
      Task<Object> approval = ctx.waitForExternalEvent(APPROVAL_EVENT, Object.class);
      Task<?> winner = Task.anyOf(approval, timeout).await();
      if (winner == approval) {
        Object answer = approval.await();
        approved = APPROVED.equals(answer);
        if (!approved && !(answer instanceof String)) {
          ctx.setCustomStatus(unrecognised(answer));
        }
        timeout.cancel();
      } else {
        ctx.getLogger().warn("Timeout expired");
      }
    }
    if (approved) {
      return ctx.callActivity(IT_EQUIPMENT, employee, String.class).await();
    }
    ctx.getLogger().error(DECLINED);
    return DECLINED;
  }

  /**
   * The custom status of an order declined because the approval was not a string, such as {@code
   * true} or {@code {"approved": true}}: only the string {@code "approved"} approves.
   */
  static String unrecognised(Object answer) {
    String shape =
        switch (answer) {
          case null -> "no payload";
          case Map<?, ?> object -> "a JSON object";
          case List<?> array -> "a JSON array";
          case Boolean bool -> "a boolean";
          case Number number -> "a number";
          default -> answer.getClass().getSimpleName();
        };
    return "Declined: "
        + APPROVAL_EVENT
        + " expects the string \""
        + APPROVED
        + "\" to approve, got "
        + shape;
  }

  /** A bad input fails the instance with a message saying what is expected. */
  private static void requireNamed(Employee employee, String orchestrator) {
    if (employee == null || employee.name() == null || employee.name().isBlank()) {
      throw new IllegalArgumentException(
          orchestrator
              + " needs employees as {\"name\", \"email\", \"startdate\", \"role\"} with a"
              + " name; got "
              + employee);
    }
  }

  static String createAccessCard(Employee e) {
    log.info("Access card created for {} starting on {}", e.name(), e.startdate());
    return "Access card was created for " + e.name() + ".";
  }

  static String orderItEquipment(Employee e) {
    log.info("Role specific IT equipment (role: {}) was ordered for {}", e.role(), e.name());
    return "Role specific IT equipment (role: " + e.role() + ") was ordered for " + e.name() + ".";
  }

  static String sendWelcomeEmail(Employee e) {
    log.info("Welcome {}! Happy to have you on board and see you on {}!", e.name(), e.startdate());
    return "Welcome email was sent to " + e.email() + ".";
  }
}
