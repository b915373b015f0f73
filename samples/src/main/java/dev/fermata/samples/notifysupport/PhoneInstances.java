package dev.fermata.samples.notifysupport;

import dev.fermata.FermataClient;
import dev.fermata.InstanceQuery;
import dev.fermata.OrchestrationContext;
import dev.fermata.OrchestrationStatus;
import java.util.Optional;
import java.util.Set;

/**
 * Finds the orchestration waiting for a phone number's callback. A callback carries only the phone
 * number, so the notification orchestration leaves its instance id where the callback handler can
 * find it. The scenario keeps it in the durable entity {@code PhoneInstance}, keyed by the phone
 * number; this interface is the one place that choice is made.
 */
public interface PhoneInstances {

  /** Called by the notification orchestration before it notifies {@code phoneNumber}. */
  void register(OrchestrationContext ctx, String phoneNumber);

  /** The instance waiting for {@code phoneNumber}'s callback, if any. */
  Optional<String> find(FermataClient client, String phoneNumber);

  /**
   * Needs no registration: searches the running notification orchestrations for one whose input
   * names the phone number. Costs a query per callback, which an entity lookup would not.
   */
  PhoneInstances RUNNING_INSTANCE_QUERY =
      new PhoneInstances() {
        @Override
        public void register(OrchestrationContext ctx, String phoneNumber) {
          // The instance's input already carries the phone number.
        }

        @Override
        public Optional<String> find(FermataClient client, String phoneNumber) {
          InstanceQuery query =
              InstanceQuery.all()
                  .withName(NotifySupport.SEND_NOTIFICATION_ORCHESTRATOR)
                  .withStatuses(Set.of(OrchestrationStatus.RUNNING, OrchestrationStatus.PENDING));
          while (true) {
            FermataClient.QueryResult page = client.query(query);
            for (var instance : page.instances()) {
              Notification waiting = instance.readInputAs(Notification.class);
              if (waiting != null && phoneNumber.equals(waiting.contact().phoneNumber())) {
                return Optional.of(instance.getInstanceId());
              }
            }
            if (page.continuationToken() == null) {
              return Optional.empty();
            }
            query = query.withContinuationToken(page.continuationToken());
          }
        }
      };
}
