package dev.fermata.samples.retrycallback;

import dev.fermata.entities.EntitySnapshot;
import dev.fermata.host.FermataHost;
import dev.fermata.host.FunctionModule;
import dev.fermata.http.HttpResponseMessage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The retry, timeout and callback sample in the Fermata host, with its two HTTP functions:
 *
 * <ul>
 *   <li>{@code POST /api/HttpStartClient} starts {@code MainOrchestrator} and answers with the
 *       check-status response;
 *   <li>{@code GET /api/HttpAttemptCounterEntityClient?instanceid={id}} answers the {@link
 *       AttemptsEntity} of that instance (404 when there is none yet).
 * </ul>
 *
 * <p>Unless given the address of one, the module starts its own {@link ExternalApi} on a free
 * loopback port, as the original runs its web API beside the function app, and stops it with the
 * host.
 */
public final class RetryCallbackModule implements FunctionModule {
  private static final Logger log = LoggerFactory.getLogger(RetryCallbackModule.class);

  private final RetryCallbackSettings settings;
  private final URI externalApi;

  /** With the scenario's settings and an external API of its own; how the launcher creates it. */
  public RetryCallbackModule() {
    this(RetryCallbackSettings.DEFAULTS, null);
  }

  /**
   * @param externalApi the external system's base address, or null to start an {@link ExternalApi}
   *     with the host
   */
  public RetryCallbackModule(RetryCallbackSettings settings, URI externalApi) {
    this.settings = Objects.requireNonNull(settings, "settings");
    this.externalApi = externalApi;
  }

  @Override
  public void register(FermataHost.Builder host) {
    URI api = externalApi;
    if (api == null) {
      ExternalApi started;
      try {
        started = ExternalApi.start(0);
      } catch (IOException e) {
        throw new UncheckedIOException("Cannot start the retry/callback sample's external API", e);
      }
      host.closeOnStop(started);
      api = started.baseUri();
      log.info("The retry/callback sample's external API listens on {}", api);
    }
    URI target = api;
    host.engine(b -> RetryTimeoutCallback.register(b, settings, target))
        .http(
            RetryTimeoutCallback.HTTP_START,
            RetryTimeoutCallback.HTTP_START,
            List.of("POST"),
            (request, durable) -> {
              String id = durable.client().scheduleNew(RetryTimeoutCallback.ORCHESTRATOR, null);
              return durable.createCheckStatusResponse(request, id);
            })
        .http(
            RetryTimeoutCallback.HTTP_ATTEMPTS,
            RetryTimeoutCallback.HTTP_ATTEMPTS,
            List.of("GET"),
            (request, durable) -> {
              String instanceId = request.query("instanceid");
              if (instanceId == null || instanceId.isBlank()) {
                return HttpResponseMessage.json(
                    400, Map.of("error", "add ?instanceid={id} of a MainOrchestrator instance"));
              }
              return durable
                  .client()
                  .getEntity(AttemptsEntity.idFor(instanceId), AttemptsState.class)
                  .map(EntitySnapshot::state)
                  .map(state -> HttpResponseMessage.json(200, state))
                  .orElseGet(
                      () ->
                          HttpResponseMessage.json(
                              404,
                              Map.of("error", "No attempts recorded for instance " + instanceId)));
            });
  }
}
