package dev.fermata.samples.notifysupport;

import dev.fermata.Fermata;
import dev.fermata.OrchestrationContext;
import dev.fermata.Task;
import java.util.List;
import java.util.Objects;

/**
 * Notify support: work through the on-call rota until somebody acknowledges. The main orchestrator
 * handles one contact per execution and moves to the next with continueAsNew, so its history stays
 * short however long the rota is; a sub-orchestration notifies one contact, waits for the callback
 * with a timeout, and notifies again (with continueAsNew) up to the configured maximum.
 */
public final class NotifySupport {
  public static final String ORCHESTRATOR = "NotifySupportOrchestrator";
  public static final String SEND_NOTIFICATION_ORCHESTRATOR = "SendNotificationOrchestrator";
  public static final String GET_SUPPORT_CONTACTS = "GetSupportContacts";
  public static final String SEND_NOTIFICATION = "SendNotification";
  public static final String CALLBACK_EVENT = "Callback";
  public static final String NOBODY = "Nobody acknowledged the notification";

  private NotifySupport() {}

  /**
   * Adds the sample's orchestrators and activities to {@code builder}.
   *
   * @param gateway where notifications go
   */
  public static Fermata.Builder register(
      Fermata.Builder builder, NotifySupportSettings settings, SmsGateway gateway) {
    Objects.requireNonNull(gateway, "gateway");
    return builder
        .orchestrator(ORCHESTRATOR, RotaPosition.class, NotifySupport::notifyNextContact)
        .orchestrator(
            SEND_NOTIFICATION_ORCHESTRATOR,
            Notification.class,
            (ctx, notification) -> notifyContact(ctx, notification, settings))
        .activity(GET_SUPPORT_CONTACTS, ctx -> settings.onCall())
        .activity(
            SEND_NOTIFICATION,
            Notification.class,
            (ctx, n) -> {
              gateway.send(n.contact().phoneNumber(), message(n));
              return null;
            })
        .entity(PhoneInstance.NAME, new PhoneInstance());
  }

  /** One contact per execution: notify, and on no answer continue as new with the next one. */
  static String notifyNextContact(OrchestrationContext ctx, RotaPosition position) {
    if (position == null) {
      List<SupportContact> contacts =
          List.of(ctx.callActivity(GET_SUPPORT_CONTACTS, null, SupportContact[].class).await());
      position = new RotaPosition(contacts, 0);
    }
    if (position.index() >= position.contacts().size()) {
      ctx.getLogger().warn(NOBODY);
      return NOBODY;
    }
    SupportContact contact = position.contacts().get(position.index());
    // A readable, unique child id: this instance plus the contact's place on the rota.
    String childId = ctx.getInstanceId() + ":" + position.index();
    boolean acknowledged =
        ctx.callSubOrchestrator(
                SEND_NOTIFICATION_ORCHESTRATOR,
                new Notification(contact, 1),
                childId,
                Boolean.class)
            .await();
    if (acknowledged) {
      return "Acknowledged by " + contact.name() + " (" + contact.phoneNumber() + ")";
    }
    ctx.continueAsNew(new RotaPosition(position.contacts(), position.index() + 1));
    return null;
  }

  /**
   * Notifies one contact and waits for the callback; on a timeout (the wait's default, false) it
   * notifies again as a new execution, until the contact has had the maximum.
   */
  static boolean notifyContact(
      OrchestrationContext ctx, Notification notification, NotifySupportSettings settings) {
    String phoneNumber = notification.contact().phoneNumber();
    // A call, not a signal: the entity knows this instance before the message goes out, so even
    // an instant callback finds it.
    ctx.callEntity(
            PhoneInstance.idFor(phoneNumber), PhoneInstance.SET, ctx.getInstanceId(), Void.class)
        .await();
    // A callback may be here already: one raised just as the last notification timed out arrives
    // in this execution, carried over by continueAsNew. Then the contact has answered, and
    // notifying again would send an SMS after the callback.
    Task<Boolean> earlyCallback = ctx.waitForExternalEvent(CALLBACK_EVENT, Boolean.class);
    if (earlyCallback.isDone()) {
      return earlyCallback.await();
    }
    earlyCallback.cancel();
    ctx.callActivity(SEND_NOTIFICATION, notification, Void.class).await();
    boolean acknowledged =
        ctx.waitForExternalEvent(CALLBACK_EVENT, settings.callbackTimeout(), false, Boolean.class)
            .await();
    if (acknowledged) {
      return true;
    }
    if (notification.attempt() < settings.maxNotificationsPerContact()) {
      ctx.continueAsNew(new Notification(notification.contact(), notification.attempt() + 1));
    }
    return false;
  }

  static String message(Notification n) {
    return "Hi "
        + n.contact().name()
        + ", support needs you (notification "
        + n.attempt()
        + "). Call back to acknowledge.";
  }
}
