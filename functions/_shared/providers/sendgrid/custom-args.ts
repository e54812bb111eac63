// Our ids in every email's `custom_args`. SendGrid echoes custom_args as top-level fields of each Event
// Webhook event, beside its own (`email`, `event`, `sg_event_id`…), hence the prefix.

/** Our `email_messages.id`. */
export const CUSTOM_ARG_MESSAGE_ID = "ips_message_id";
/** The tenant that sent it. */
export const CUSTOM_ARG_TENANT_ID = "ips_tenant_id";
