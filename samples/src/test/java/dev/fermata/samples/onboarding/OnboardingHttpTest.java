package dev.fermata.samples.onboarding;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.fermata.samples.SampleHost;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The onboarding sample in a real host, started with the host's built-in start route. */
class OnboardingHttpTest {
  private static final String JOHNNY =
      "{\"name\":\"Johnny Lawrence\",\"email\":\"johnny.lawrence@eaglefang.com\","
          + "\"startdate\":\"01.02.2022\",\"role\":\"developer\"}";
  private static final String DANIEL =
      "{\"name\":\"Daniel LaRusso\",\"email\":\"daniel.larusso@miyagido.com\","
          + "\"startdate\":\"15.02.2022\",\"role\":\"sales\"}";

  @TempDir Path dir;

  private static String start(SampleHost host, String orchestrator, String body) throws Exception {
    HttpResponse<String> started = host.post("/api/orchestrators/" + orchestrator, body);
    assertThat(started.statusCode()).isEqualTo(202);
    return SampleHost.json(started).get("id").asText();
  }

  /** Starts the approval flow for Daniel and answers its approval request with {@code answer}. */
  private static String startAndAnswerApproval(SampleHost host, String answer) throws Exception {
    String id = start(host, "OnboardingOrchestratorExternalEvent", DANIEL);
    host.awaitStatus(id, "Running");
    HttpResponse<String> raised =
        host.post(
            "/runtime/webhooks/durabletask/instances/" + id + "/raiseEvent/ApprovalRequest",
            answer);
    assertThat(raised.statusCode()).isEqualTo(202);
    return id;
  }

  @Test
  void onboardsOneEmployee_andAListWithOneSubOrchestrationEach() throws Exception {
    try (SampleHost host = SampleHost.start(dir, new OnboardingModule())) {
      String one = start(host, "OnboardingOrchestrator", JOHNNY);
      assertThat(host.awaitStatus(one, "Completed").get("output").toString())
          .isEqualTo(
              "[\"Access card was created for Johnny Lawrence.\","
                  + "\"Role specific IT equipment (role: developer) was ordered for Johnny"
                  + " Lawrence.\",\"Welcome email was sent to johnny.lawrence@eaglefang.com.\"]");

      String all =
          start(
              host,
              "ParallelOnboardingOrchestrator",
              "{\"employees2onboard\":[" + JOHNNY + "," + DANIEL + "]}");
      JsonNode output = host.awaitStatus(all, "Completed").get("output");
      assertThat(output).hasSize(2);
      assertThat(output.get(1).get(0).asText())
          .isEqualTo("Access card was created for Daniel LaRusso.");
      assertThat(host.awaitStatus(all + ":Daniel LaRusso", "Completed").get("name").asText())
          .isEqualTo("OnboardingOrchestrator");
    }
  }

  @Test
  void salesEquipmentIsOrderedOnceApprovedByEvent() throws Exception {
    try (SampleHost host =
        SampleHost.start(
            dir, new OnboardingModule(new OnboardingSettings(Duration.ofSeconds(30))))) {
      String approved = startAndAnswerApproval(host, "\"approved\"");
      assertThat(host.awaitStatus(approved, "Completed").get("output").asText())
          .isEqualTo("Role specific IT equipment (role: sales) was ordered for Daniel LaRusso.");
    }
  }

  @Test
  void anApprovalSentAsAJsonObjectDeclinesTheOrder() throws Exception {
    try (SampleHost host =
        SampleHost.start(
            dir, new OnboardingModule(new OnboardingSettings(Duration.ofSeconds(30))))) {
      String id = startAndAnswerApproval(host, "{\"approved\": false}");
      JsonNode status = host.awaitStatus(id, "Completed");
      assertThat(status.get("output").asText()).isEqualTo("Order was declined");
      assertThat(status.get("customStatus").asText())
          .isEqualTo(
              "Declined: ApprovalRequest expects the string \"approved\" to approve, got a JSON"
                  + " object");
    }
  }

  @Test
  void withoutApprovalInTimeTheOrderIsDeclined() throws Exception {
    try (SampleHost host =
        SampleHost.start(
            dir, new OnboardingModule(new OnboardingSettings(Duration.ofMillis(200))))) {
      String declined = start(host, "OnboardingOrchestratorExternalEvent", DANIEL);
      assertThat(host.awaitStatus(declined, "Completed").get("output").asText())
          .isEqualTo("Order was declined");
    }
  }

  @Test
  void anEmployeeWithoutANameFailsTheInstance() throws Exception {
    try (SampleHost host = SampleHost.start(dir, new OnboardingModule())) {
      String bad = start(host, "OnboardingOrchestrator", "{\"email\":\"x@example.com\"}");
      assertThat(host.awaitStatus(bad, "Failed").get("output").toString())
          .contains("needs employees as");
    }
  }
}
