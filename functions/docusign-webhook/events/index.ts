import { onEnvelopeStatus } from "./envelope-status.ts";
import type { DocuSignEventEffect } from "./types.ts";

/**
 * The Connect events we act on. Every other one (envelope-created, -resent, -corrected, recipient-*, …) is
 * stored and acknowledged, never rejected: rejecting makes Connect retry it for days. A Map: an event type
 * is data, and `__proto__` or `constructor` must find nothing.
 */
export const DOCUSIGN_EVENT_EFFECTS: ReadonlyMap<string, DocuSignEventEffect> = new Map(Object.entries({
  "envelope-sent": onEnvelopeStatus,
  "envelope-delivered": onEnvelopeStatus,
  "envelope-completed": onEnvelopeStatus,
  "envelope-declined": onEnvelopeStatus,
  "envelope-voided": onEnvelopeStatus,
}));
