import type { ZoomEvent } from "../_shared/verify/zoom.ts";
import type { EffectOf } from "../_shared/webhooks/record-event.ts";
import { ZOOM_EVENT_EFFECTS } from "./events/index.ts";

/**
 * What a stored Zoom event does: the same for a first delivery, a Zoom retry, the retry job or a replay.
 * Zoom events carry no tenant marker: meetings are found by id within the tenant.
 */
export const effectOf: EffectOf = (tenantId, event) => ZOOM_EVENT_EFFECTS.get(event.eventType)?.(tenantId, event.payload as ZoomEvent);
