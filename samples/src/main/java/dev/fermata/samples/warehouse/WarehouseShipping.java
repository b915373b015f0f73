package dev.fermata.samples.warehouse;

import dev.fermata.Fermata;
import dev.fermata.OrchestrationContext;
import dev.fermata.Task;
import java.util.ArrayList;
import java.util.List;

/**
 * Human interaction with a deadline: a warehouse worker confirms the shipment by raising {@code
 * Event_Ship}; if nobody does within the timeout, the order is escalated.
 *
 * <p>The orchestrator races a durable timer against the external event with {@link Task#anyOf}, and
 * cancels the timer when the event wins, so no timer outlives the instance.
 */
public final class WarehouseShipping {
  public static final String ORCHESTRATOR = "DurableFunction_Orchestrator";

  /** The HTTP function (GET or POST) that starts {@value #ORCHESTRATOR}. */
  public static final String HTTP_START = "DurableFunction_HttpStart";

  public static final String SHIP = "DurableFunction_Ship";
  public static final String ESCALATE = "DurableFunction_Escalate";
  public static final String SHIP_EVENT = "Event_Ship";

  private WarehouseShipping() {}

  /** Adds the sample's orchestrator and activities to {@code builder}. */
  public static Fermata.Builder register(Fermata.Builder builder, WarehouseSettings settings) {
    return builder
        .orchestrator(ORCHESTRATOR, ctx -> shipOrEscalate(ctx, settings))
        .activity(SHIP, String.class, (ctx, status) -> "The order is " + status + "!")
        .activity(
            ESCALATE,
            String.class,
            (ctx, escalatedTo) -> "The order is escalated to " + escalatedTo + "!");
  }

  static List<String> shipOrEscalate(OrchestrationContext ctx, WarehouseSettings settings) {
    List<String> outputs = new ArrayList<>();
    Task<Void> timeout = ctx.createTimer(settings.shipTimeout());
    Task<Object> shipped = ctx.waitForExternalEvent(SHIP_EVENT, Object.class);

    Task<?> winner = Task.anyOf(shipped, timeout).await();
    if (!timeout.isDone()) {
      timeout.cancel(); // the losing timer must not keep the instance alive
    }
    if (winner == shipped) {
      outputs.add(ctx.callActivity(SHIP, "shipped", String.class).await());
    } else {
      outputs.add(ctx.callActivity(ESCALATE, "Head of department", String.class).await());
    }
    return outputs;
  }
}
