import type { DocuSignConnectEvent } from "../../_shared/verify/docusign.ts";
import type { EventEffect } from "../../_shared/webhooks/record-event.ts";

/** What one kind of Connect event does for a tenant; `undefined` when there is nothing to change. */
export type DocuSignEventEffect = (tenantId: string, event: DocuSignConnectEvent) => EventEffect | undefined;
