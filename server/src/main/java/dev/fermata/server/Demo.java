package dev.fermata.server;

import dev.fermata.Fermata;
import dev.fermata.RetryPolicy;
import dev.fermata.Task;
import dev.fermata.host.FermataHost;
import dev.fermata.host.FunctionModule;
import dev.fermata.http.HttpResponseMessage;
import java.time.Duration;
import java.util.List;

/**
 * The functions of the demo that {@code ./fermata run} starts: a small shipping flow that fans out,
 * retries a flaky call, sleeps on a durable timer and waits for an approval with a timeout. The
 * launcher finds it, as any module, through {@code META-INF/services}.
 */
public final class Demo implements FunctionModule {
  static final String ORCHESTRATOR = "ShipOrder";

  record Order(String id, List<String> items) {}

  private static final java.util.Set<String> JAMMED_ONCE =
      java.util.concurrent.ConcurrentHashMap.newKeySet();

  /** Called by {@link java.util.ServiceLoader}. */
  public Demo() {}

  /**
   * The demo's functions for the host: the orchestration and its activities, and {@code POST
   * /api/orders}, which starts one and answers with Durable Functions' check-status response.
   */
  @Override
  public void register(FermataHost.Builder host) {
    host.engine(Demo::addFunctions)
        .http(
            "StartOrder",
            "orders",
            List.of("POST"),
            (request, durable) -> {
              Order order = request.bodyAs(Order.class);
              if (order == null || order.id() == null || order.items() == null) {
                return HttpResponseMessage.json(
                    400, java.util.Map.of("error", "send {\"id\": ..., \"items\": [...]}"));
              }
              String id = durable.client().scheduleNew(ORCHESTRATOR, order);
              return durable.createCheckStatusResponse(request, id);
            });
  }

  static Fermata.Builder addFunctions(Fermata.Builder builder) {
    return builder
        .orchestrator(
            ORCHESTRATOR,
            Order.class,
            (ctx, order) -> {
              ctx.setCustomStatus("packing");
              List<Task<String>> packed =
                  order.items().stream()
                      .map(item -> ctx.callActivity("PackItem", item, String.class))
                      .toList();
              List<String> boxes = Task.allOf(packed).await();
              String label =
                  ctx.callActivity(
                          "PrintLabel",
                          order.id(),
                          RetryPolicy.builder(3, Duration.ofMillis(200))
                              .backoffCoefficient(2)
                              .build(),
                          String.class)
                      .await();
              ctx.setCustomStatus("waiting for the courier");
              ctx.createTimer(Duration.ofMillis(500)).await();
              String approval =
                  ctx.waitForExternalEvent(
                          "Approval", Duration.ofSeconds(1), "auto-approved", String.class)
                      .await();
              ctx.getLogger().info("Order {} shipped ({})", order.id(), approval);
              return "Shipped " + boxes.size() + " box(es) with " + label + ", " + approval;
            })
        .activity("PackItem", String.class, (ctx, item) -> "box(" + item + ")")
        .activity(
            "PrintLabel",
            String.class,
            (ctx, orderId) -> {
              // The printer jams on the first label of each order: the retry policy handles it.
              if (JAMMED_ONCE.add(ctx.getInstanceId())) {
                throw new IllegalStateException("printer jammed");
              }
              return "label-" + orderId;
            });
  }
}
