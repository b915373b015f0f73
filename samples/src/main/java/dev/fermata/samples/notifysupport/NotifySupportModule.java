package dev.fermata.samples.notifysupport;

import dev.fermata.host.FermataHost;
import dev.fermata.host.FunctionModule;
import dev.fermata.http.HttpResponseMessage;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The notify support sample in the Fermata host, with the HTTP function {@code POST
 * /api/NotifySupportCallback}: the body {@code {"phoneNumber": "..."}} acknowledges for that number
 * (202 with the instance id), 404 when nobody waits for it, 400 for a bad body. {@code
 * NotifySupportOrchestrator} is started with the host's {@code POST /api/orchestrators/{name}}.
 */
public final class NotifySupportModule implements FunctionModule {
  /** The body of {@code NotifySupportCallback}. */
  public record Callback(String phoneNumber) {}

  private final NotifySupportSettings settings;
  private final SmsGateway gateway;

  /** With the scenario's rota and timeouts; how the launcher creates it. */
  public NotifySupportModule() {
    this(NotifySupportSettings.DEFAULTS, new SmsGateway());
  }

  public NotifySupportModule(NotifySupportSettings settings, SmsGateway gateway) {
    this.settings = Objects.requireNonNull(settings, "settings");
    this.gateway = Objects.requireNonNull(gateway, "gateway");
  }

  @Override
  public void register(FermataHost.Builder host) {
    host.engine(b -> NotifySupport.register(b, settings, gateway))
        .http(
            SupportCallbacks.FUNCTION_NAME,
            SupportCallbacks.FUNCTION_NAME,
            List.of("POST"),
            (request, durable) -> {
              Callback callback = request.bodyAs(Callback.class);
              if (callback == null
                  || callback.phoneNumber() == null
                  || callback.phoneNumber().isBlank()) {
                return HttpResponseMessage.json(
                    400, Map.of("error", "send {\"phoneNumber\": \"...\"}"));
              }
              Optional<String> raised =
                  new SupportCallbacks(durable.client()).acknowledge(callback.phoneNumber());
              return raised
                  .map(
                      id ->
                          HttpResponseMessage.json(
                              202,
                              Map.of(
                                  "phoneNumber", callback.phoneNumber().strip(), "instanceId", id)))
                  .orElseGet(
                      () ->
                          HttpResponseMessage.json(
                              404,
                              Map.of(
                                  "error",
                                  "Nobody is waiting for a callback from "
                                      + callback.phoneNumber().strip())));
            });
  }
}
