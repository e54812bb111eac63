import type { DocuSignConnectEvent } from "../_shared/verify/docusign.ts";
import type { EffectOf } from "../_shared/webhooks/record-event.ts";
import { DOCUSIGN_EVENT_EFFECTS } from "./events/index.ts";

/** What a stored Connect event does: the same for a first delivery, a redelivery, a retry or a replay. */
export const effectOf: EffectOf = (tenantId, event) =>
  DOCUSIGN_EVENT_EFFECTS[event.eventType]?.(tenantId, event.payload as DocuSignConnectEvent);
