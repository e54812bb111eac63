import type { DocuSignConnectEvent } from "../_shared/verify/docusign.ts";
import type { EffectOf } from "../_shared/webhooks/record-event.ts";
import { ownTenantOnly } from "../_shared/webhooks/tenant-marker.ts";
import { DOCUSIGN_EVENT_EFFECTS } from "./events/index.ts";
import { docuSignTenantMarker } from "./tenant-marker.ts";

/**
 * What a stored Connect event does: the same for a first delivery, a redelivery, a retry or a replay.
 * Nothing for an envelope another school of the same DocuSign account sent (see ownTenantOnly).
 */
export const effectOf: EffectOf = ownTenantOnly(docuSignTenantMarker, (tenantId, event) =>
  DOCUSIGN_EVENT_EFFECTS.get(event.eventType)?.(tenantId, event.payload as DocuSignConnectEvent));
