package dev.fermata.samples.notifysupport;

import dev.fermata.entities.EntityContext;
import dev.fermata.entities.EntityFunction;
import dev.fermata.entities.EntityId;
import java.util.Locale;

/**
 * The durable entity that remembers, per phone number (its key), the instance id of the {@code
 * SendNotificationOrchestrator} that last notified that number. A callback carries only the phone
 * number; this is how {@code NotifySupportCallback} finds the orchestration waiting for it.
 *
 * <p>Operations: {@value #SET} (input the instance id), {@value #GET} (answers it) and {@code
 * delete}. The state is the instance id, a JSON string.
 */
public final class PhoneInstance implements EntityFunction {
  public static final String NAME = "PhoneInstance";
  public static final String SET = "set";
  public static final String GET = "get";

  /** The entity for {@code phoneNumber}. */
  public static EntityId idFor(String phoneNumber) {
    return new EntityId(NAME, phoneNumber);
  }

  @Override
  public Object run(EntityContext ctx) {
    switch (ctx.operationName().toLowerCase(Locale.ROOT)) {
      case SET -> {
        String instanceId = ctx.getInput(String.class);
        if (instanceId == null || instanceId.isBlank()) {
          throw new IllegalArgumentException(NAME + "." + SET + " needs an instance id");
        }
        ctx.setState(instanceId);
        return null;
      }
      case GET -> {
        return ctx.hasState() ? ctx.getState(String.class, () -> null) : null;
      }
      case "delete" -> {
        ctx.deleteState();
        return null;
      }
      default ->
          throw new IllegalArgumentException(
              NAME + " has no operation '" + ctx.operationName() + "'; it has set, get and delete");
    }
  }
}
