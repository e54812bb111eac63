import { isUuid } from "../_shared/http/uuid.ts";
import { CUSTOM_ARG_MESSAGE_ID, CUSTOM_ARG_TENANT_ID } from "../_shared/providers/sendgrid/custom-args.ts";
import type { SendGridEvent } from "../_shared/verify/sendgrid.ts";
import type { EffectOf } from "../_shared/webhooks/record-event.ts";
import { ownTenantOnly, type TenantMarkerOf } from "../_shared/webhooks/tenant-marker.ts";
import { DELIVERY_STATUS_BY_EVENT } from "./delivery-status.ts";
import { insertEmailEventStatement } from "../_shared/domain/email/email-events.ts";
import { advanceMessageDeliveryStatement } from "../_shared/domain/email/message-delivery.ts";
import { upsertSuppressionStatement } from "../_shared/domain/email/suppressions.ts";
import { suppressionOf } from "./suppression.ts";

const MAX_REASON_LENGTH = 500;

const text = (value: unknown): string | null => (typeof value === "string" && value ? value : null);

/** The school that sent the message: the `ips_tenant_id` custom arg we set on every send. */
export const sendGridTenantMarker: TenantMarkerOf = (incoming) => (incoming.payload as SendGridEvent)[CUSTOM_ARG_TENANT_ID];

/** Our message id from the custom_args we sent, when it is one. */
function messageIdOf(event: SendGridEvent): string | null {
  const messageId = event[CUSTOM_ARG_MESSAGE_ID];
  return typeof messageId === "string" && isUuid(messageId) ? messageId.toLowerCase() : null;
}

/**
 * What a stored SendGrid event does — the same for a delivery, a redelivery, a retry or a replay: one
 * `email_events` row, and, when its custom_args name one of our messages, that message advanced (see
 * advanceMessageDeliveryStatement), and a bounce, address drop, spam report or unsubscribe puts the
 * address on the tenant's `email_suppressions` list (suppression.ts). All are gated statements, stored and
 * applied atomically with the event.
 * Nothing for a message another school of the same SendGrid account sent (see ownTenantOnly).
 */
export const effectOf: EffectOf = ownTenantOnly(sendGridTenantMarker, (tenantId, incoming) => {
  const event = incoming.payload as SendGridEvent;
  const messageId = messageIdOf(event);
  const occurredAt = typeof event.timestamp === "number" && Number.isFinite(event.timestamp) ? event.timestamp : null;
  const row = {
    tenantId,
    messageId,
    sgEventId: incoming.externalId,
    sgMessageId: text(event.sg_message_id),
    event: incoming.eventType,
    email: text(event.email),
    reason: (text(event.reason) ?? text(event.response))?.slice(0, MAX_REASON_LENGTH) ?? null,
    occurredAt,
  };
  const delivery = DELIVERY_STATUS_BY_EVENT.get(incoming.eventType);
  const suppression = suppressionOf(tenantId, event);
  return {
    statements: (gate) => [
      insertEmailEventStatement(row, gate),
      ...(messageId
        ? [advanceMessageDeliveryStatement({ tenantId, messageId, status: delivery?.status ?? null, rank: delivery?.rank ?? 0, occurredAt }, gate)]
        : []),
      ...(suppression ? [upsertSuppressionStatement(suppression, gate)] : []),
    ],
  };
});
