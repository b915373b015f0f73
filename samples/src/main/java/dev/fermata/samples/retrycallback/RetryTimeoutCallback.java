package dev.fermata.samples.retrycallback;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.fermata.ActivityContext;
import dev.fermata.Fermata;
import dev.fermata.OrchestrationContext;
import dev.fermata.TaskFailedException;
import dev.fermata.TaskTimeoutException;
import dev.fermata.entities.EntityId;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Objects;

/**
 * Calling an external system that answers later: each attempt posts the work to the external API
 * and then waits for the system to call back (the {@code Callback} event). A failed call or a
 * missing callback starts the next attempt, up to the configured number; every attempt's progress
 * is recorded in the durable entity {@link AttemptsEntity}, keyed by the instance id.
 */
public final class RetryTimeoutCallback {
  public static final String ORCHESTRATOR = "MainOrchestrator";

  /** The HTTP function that starts {@value #ORCHESTRATOR}. */
  public static final String HTTP_START = "HttpStartClient";

  /** The HTTP function that returns an instance's attempts. */
  public static final String HTTP_ATTEMPTS = "HttpAttemptCounterEntityClient";

  public static final String CALL_API = "CallApiActivity";
  public static final String CALLBACK_EVENT = "Callback";

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Duration API_REQUEST_TIMEOUT = Duration.ofSeconds(30);

  /** What {@code CallApiActivity} sends: enough for the external system to call back. */
  public record ApiRequest(String instanceId, int attempt, String callbackEvent) {}

  private RetryTimeoutCallback() {}

  /**
   * Adds the sample's orchestrator, activity and entity to {@code builder}.
   *
   * @param externalApi the base address of the external system (see {@link ExternalApi})
   */
  public static Fermata.Builder register(
      Fermata.Builder builder, RetryCallbackSettings settings, URI externalApi) {
    Objects.requireNonNull(externalApi, "externalApi");
    HttpClient http = HttpClient.newBuilder().connectTimeout(API_REQUEST_TIMEOUT).build();
    URI workUri = externalApi.resolve(ExternalApi.WORK_PATH);
    return builder
        .orchestrator(ORCHESTRATOR, ctx -> callUntilCalledBack(ctx, settings))
        .activity(
            CALL_API, ApiRequest.class, (ctx, request) -> callApi(ctx, http, workUri, request))
        .entity(AttemptsEntity.NAME, new AttemptsEntity());
  }

  static String callUntilCalledBack(OrchestrationContext ctx, RetryCallbackSettings settings) {
    // Signals from one orchestration reach the entity exactly once and in order.
    EntityId attempts = AttemptsEntity.idFor(ctx.getInstanceId());
    int attempt = 0;
    AttemptState last = null;
    String lastText = null;
    while (attempt < settings.maxAttempts() && last != AttemptState.CALLBACK_SUCCESS) {
      attempt++;
      record(ctx, attempts, attempt, AttemptState.NEW, null);
      record(ctx, attempts, attempt, AttemptState.EXECUTING, null);
      ApiRequest request = new ApiRequest(ctx.getInstanceId(), attempt, CALLBACK_EVENT);
      try {
        String response = ctx.callActivity(CALL_API, request, String.class).await();
        record(ctx, attempts, attempt, AttemptState.EXECUTED_SUCCESS, response);
      } catch (TaskFailedException e) {
        last = AttemptState.EXECUTED_FAILURE;
        lastText = e.getFailureDetails().errorMessage();
        record(ctx, attempts, attempt, last, lastText);
        continue;
      }

      record(ctx, attempts, attempt, AttemptState.WAITING_FOR_CALLBACK, null);
      try {
        boolean succeeded =
            Boolean.TRUE.equals(
                ctx.waitForExternalEvent(CALLBACK_EVENT, settings.callbackTimeout(), Boolean.class)
                    .await());
        last = succeeded ? AttemptState.CALLBACK_SUCCESS : AttemptState.CALLBACK_FAILURE;
        lastText = "External system called back with " + last;
      } catch (TaskTimeoutException e) {
        last = AttemptState.TIMED_OUT;
        lastText =
            "Event "
                + CALLBACK_EVENT
                + " not received in "
                + TimeSpans.format(settings.callbackTimeout());
      }
      record(ctx, attempts, attempt, last, lastText);
    }
    String outcome =
        "Completed API request after "
            + attempt
            + " attempts. Final state "
            + last
            + ", status text: "
            + lastText;
    ctx.signalEntity(attempts, AttemptsEntity.COMPLETE, outcome);
    return outcome;
  }

  private static void record(
      OrchestrationContext ctx, EntityId attempts, int attempt, AttemptState state, String text) {
    ctx.signalEntity(
        attempts,
        AttemptsEntity.SET_ATTEMPT_STATE,
        new AttemptsState.Attempt(attempt, state, text));
  }

  /** Posts the work to the external system; anything but a 2xx answer fails the attempt. */
  static String callApi(ActivityContext ctx, HttpClient http, URI workUri, ApiRequest request)
      throws IOException, InterruptedException {
    HttpRequest post =
        HttpRequest.newBuilder(workUri)
            .timeout(API_REQUEST_TIMEOUT)
            .header("Content-Type", "application/json")
            .header("Idempotency-Key", ctx.getIdempotencyKey())
            .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(request)))
            .build();
    HttpResponse<String> response = http.send(post, HttpResponse.BodyHandlers.ofString());
    if (response.statusCode() / 100 != 2) {
      throw new IOException(
          "The external API answered " + response.statusCode() + ": " + response.body());
    }
    return "The external API accepted attempt "
        + request.attempt()
        + " ("
        + response.statusCode()
        + ")";
  }
}
