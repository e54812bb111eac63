import { onEnvelopeStatus } from "./envelope-status.ts";
import type { DocuSignEventEffect } from "./types.ts";

/**
 * The Connect events we act on. Every other one (envelope-created, -resent, -corrected, recipient-*, …) is
 * stored and acknowledged, never rejected: rejecting makes Connect retry it for days.
 */
export const DOCUSIGN_EVENT_EFFECTS: Readonly<Record<string, DocuSignEventEffect>> = {
  "envelope-sent": onEnvelopeStatus,
  "envelope-delivered": onEnvelopeStatus,
  "envelope-completed": onEnvelopeStatus,
  "envelope-declined": onEnvelopeStatus,
  "envelope-voided": onEnvelopeStatus,
};
