package dev.fermata.samples.warehouse;

import dev.fermata.host.FermataHost;
import dev.fermata.host.FunctionModule;
import java.util.List;
import java.util.Objects;

/**
 * The warehouse shipping sample in the Fermata host: its functions plus the HTTP function {@value
 * WarehouseShipping#HTTP_START} (GET or POST), which starts the orchestration and answers with the
 * check-status response.
 */
public final class WarehouseModule implements FunctionModule {
  private final WarehouseSettings settings;

  /** With the scenario's timeouts; how the launcher creates it. */
  public WarehouseModule() {
    this(WarehouseSettings.DEFAULTS);
  }

  public WarehouseModule(WarehouseSettings settings) {
    this.settings = Objects.requireNonNull(settings, "settings");
  }

  @Override
  public void register(FermataHost.Builder host) {
    host.engine(b -> WarehouseShipping.register(b, settings))
        .http(
            WarehouseShipping.HTTP_START,
            WarehouseShipping.HTTP_START,
            List.of("GET", "POST"),
            (request, durable) -> {
              String id = durable.client().scheduleNew(WarehouseShipping.ORCHESTRATOR, null);
              return durable.createCheckStatusResponse(request, id);
            });
  }
}
