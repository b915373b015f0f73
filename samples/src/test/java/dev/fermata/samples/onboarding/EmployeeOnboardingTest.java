package dev.fermata.samples.onboarding;

import static dev.fermata.samples.onboarding.EmployeeOnboarding.ONBOARDING;
import static dev.fermata.samples.onboarding.EmployeeOnboarding.ONBOARDING_WITH_APPROVAL;
import static dev.fermata.samples.onboarding.EmployeeOnboarding.PARALLEL_ONBOARDING;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.fermata.FermataClient.StartOptions;
import dev.fermata.InstanceState;
import dev.fermata.OrchestrationStatus;
import dev.fermata.samples.SampleEngine;
import dev.fermata.testsupport.Logs;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EmployeeOnboardingTest {
  private static final Employee JOHNNY =
      new Employee("Johnny Lawrence", "johnny.lawrence@eaglefang.com", "01.02.2022", "developer");
  private static final Employee DANIEL =
      new Employee("Daniel LaRusso", "daniel.larusso@miyagido.com", "15.02.2022", "sales");
  private static final Employee TERRY =
      new Employee("Terry Silver", "terry.silver@cobrakai.com", "01.03.2022", "manager");

  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path dir;
  private SampleEngine engine;

  private SampleEngine start(Duration approvalTimeout) {
    engine =
        SampleEngine.start(
            dir, b -> EmployeeOnboarding.register(b, new OnboardingSettings(approvalTimeout)));
    return engine;
  }

  @AfterEach
  void stop() {
    if (engine != null) {
      engine.close();
    }
  }

  @Test
  void onboardingReturnsTheThreeMessagesInOrder() throws Exception {
    start(Duration.ofMinutes(10));
    String id = engine.client().scheduleNew(ONBOARDING, JOHNNY);

    InstanceState done = engine.awaitCompleted(id);

    assertThat(JSON.readValue(done.getSerializedOutput(), List.class))
        .containsExactly(
            "Access card was created for Johnny Lawrence.",
            "Role specific IT equipment (role: developer) was ordered for Johnny Lawrence.",
            "Welcome email was sent to johnny.lawrence@eaglefang.com.");
  }

  @Test
  void parallelOnboardingStartsOneNamedSubOrchestrationPerEmployee() throws Exception {
    start(Duration.ofMinutes(10));
    var request = Map.of("employees2onboard", List.of(JOHNNY, DANIEL, TERRY));
    String id =
        engine.client().scheduleNew(PARALLEL_ONBOARDING, request, StartOptions.withId("hr-42"));

    InstanceState done = engine.awaitCompleted(id);

    List<?> results = JSON.readValue(done.getSerializedOutput(), List.class);
    assertThat(results).hasSize(3);
    assertThat(results.get(1))
        .isEqualTo(
            List.of(
                "Access card was created for Daniel LaRusso.",
                "Role specific IT equipment (role: sales) was ordered for Daniel LaRusso.",
                "Welcome email was sent to daniel.larusso@miyagido.com."));
    for (Employee e : List.of(JOHNNY, DANIEL, TERRY)) {
      InstanceState child = engine.client().getInstance("hr-42:" + e.name()).orElseThrow();
      assertThat(child.getName()).isEqualTo(ONBOARDING);
      assertThat(child.getStatus()).isEqualTo(OrchestrationStatus.COMPLETED);
      assertThat(child.getParent().instanceId()).isEqualTo("hr-42");
    }
  }

  @Test
  void parallelOnboardingLogsTheCountOnce_thoughItReplays() throws Exception {
    // No instance cache: the parent replays its history at every child's completion.
    engine =
        SampleEngine.start(
            dir,
            b -> EmployeeOnboarding.register(b.instanceCacheSize(0), OnboardingSettings.DEFAULTS));
    String log =
        Logs.capture(
            () -> {
              var request = Map.of("employees2onboard", List.of(JOHNNY, DANIEL, TERRY));
              String id = engine.client().scheduleNew(PARALLEL_ONBOARDING, request);
              engine.awaitCompleted(id);
              String missing = engine.client().scheduleNew(PARALLEL_ONBOARDING, Map.of());
              engine.awaitCompleted(missing);
            });

    assertThat(log.lines().filter(l -> l.contains("Starting 3 sub-orchestrations for update")))
        .hasSize(1);
    assertThat(log.lines().filter(l -> l.contains("WARN") && l.contains("No employees to onboard")))
        .hasSize(1);
  }

  @Test
  void parallelOnboardingWithoutAListOnboardsNobody() {
    start(Duration.ofMinutes(10));
    String id = engine.client().scheduleNew(PARALLEL_ONBOARDING, Map.of("somethingElse", 1));

    assertThat(engine.awaitCompleted(id).getSerializedOutput()).isEqualTo("[]");
  }

  @Test
  void anEmployeeWithoutANameFailsTheInstanceWithAClearMessage() {
    start(Duration.ofMinutes(10));
    var request = Map.of("employees2onboard", List.of(Map.of("email", "x@example.com")));
    String id = engine.client().scheduleNew(PARALLEL_ONBOARDING, request);

    InstanceState failed = engine.client().waitForCompletion(id, SampleEngine.WAIT);

    assertThat(failed.getStatus()).isEqualTo(OrchestrationStatus.FAILED);
    assertThat(failed.getFailureDetails().errorMessage())
        .startsWith("ParallelOnboardingOrchestrator needs employees as {\"name\", \"email\",");
  }

  @Test
  void aRoleWithinTheLimitOrdersWithoutApproval() {
    start(Duration.ofMinutes(10));
    String id = engine.client().scheduleNew(ONBOARDING_WITH_APPROVAL, TERRY);

    assertThat(engine.awaitCompleted(id).readOutputAs(String.class))
        .isEqualTo("Role specific IT equipment (role: manager) was ordered for Terry Silver.");
  }

  @Test
  void salesEquipmentIsOrderedWhenApproved() {
    start(Duration.ofMinutes(10));
    String id = engine.client().scheduleNew(ONBOARDING_WITH_APPROVAL, DANIEL);
    engine.client().raiseEvent(id, "ApprovalRequest", "approved");

    assertThat(engine.awaitCompleted(id).readOutputAs(String.class))
        .isEqualTo("Role specific IT equipment (role: sales) was ordered for Daniel LaRusso.");
  }

  @Test
  void salesEquipmentIsDeclinedOnAnyOtherAnswer() {
    start(Duration.ofMinutes(10));
    String id = engine.client().scheduleNew(ONBOARDING_WITH_APPROVAL, DANIEL);
    engine.client().raiseEvent(id, "ApprovalRequest", "rejected");

    assertThat(engine.awaitCompleted(id).readOutputAs(String.class))
        .isEqualTo("Order was declined");
  }

  @Test
  void salesEquipmentIsDeclinedWhenNobodyApprovesInTime() {
    start(Duration.ofMillis(300));
    String id = engine.client().scheduleNew(ONBOARDING_WITH_APPROVAL, DANIEL);

    InstanceState done = engine.awaitCompleted(id);

    assertThat(done.readOutputAs(String.class)).isEqualTo("Order was declined");
    assertThat(engine.client().getHistory(id))
        .anyMatch(e -> e instanceof dev.fermata.history.HistoryEvent.TimerFired);
  }

  @Test
  void anApprovalOfAnotherShapeDeclines_andTheStatusSaysWhy() {
    start(Duration.ofMinutes(10));
    String object = engine.client().scheduleNew(ONBOARDING_WITH_APPROVAL, DANIEL);
    engine.client().raiseEvent(object, "ApprovalRequest", java.util.Map.of("approved", true));
    String bool = engine.client().scheduleNew(ONBOARDING_WITH_APPROVAL, DANIEL);
    engine.client().raiseEvent(bool, "ApprovalRequest", true);

    InstanceState declinedObject = engine.awaitCompleted(object);
    InstanceState declinedBool = engine.awaitCompleted(bool);

    assertThat(declinedObject.readOutputAs(String.class)).isEqualTo("Order was declined");
    assertThat(declinedObject.readCustomStatusAs(String.class))
        .isEqualTo(
            "Declined: ApprovalRequest expects the string \"approved\" to approve, got a JSON"
                + " object");
    assertThat(declinedBool.readOutputAs(String.class)).isEqualTo("Order was declined");
    assertThat(declinedBool.readCustomStatusAs(String.class)).endsWith("got a boolean");
  }
}
