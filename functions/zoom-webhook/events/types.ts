import type { ZoomEvent } from "../../_shared/verify/zoom.ts";
import type { EventEffect } from "../../_shared/webhooks/record-event.ts";

/** What one kind of Zoom event does for a tenant; `undefined` when there is nothing to change. */
export type ZoomEventEffect = (tenantId: string, event: ZoomEvent) => EventEffect | undefined;
