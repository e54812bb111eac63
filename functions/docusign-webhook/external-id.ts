import type { DocuSignConnectEvent } from "../_shared/verify/docusign.ts";

/**
 * The idempotency key of a Connect event. Connect events carry no id, and `retryCount` changes on every
 * redelivery, so a body hash would store a retry twice; envelope + event + generatedDateTime stay the same
 * across retries, and a recipient event adds its recipient (two signers finishing in the same instant are
 * two events). Events without an envelope (template or user events) leave that part empty.
 * @example connectEventId(event) // "7c9a…:envelope-completed:2025-05-30T18:03:50.4233752Z"
 */
export function connectEventId(event: DocuSignConnectEvent): string {
  const recipientId = event.data.recipientId;
  const recipient = typeof recipientId === "string" || typeof recipientId === "number" ? `:${recipientId}` : "";
  return `${event.data.envelopeId ?? ""}:${event.event}:${event.generatedDateTime}${recipient}`;
}
