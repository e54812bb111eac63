import type { TenantMarkerOf } from "../_shared/webhooks/tenant-marker.ts";
import { connectCustomField } from "./custom-fields.ts";

/**
 * The school a Connect event belongs to: the hidden `tenantId` text custom field every envelope we send
 * carries, in `data.envelopeSummary.customFields.textCustomFields[]` (present when the Connect
 * configuration includes custom fields).
 */
export const docuSignTenantMarker: TenantMarkerOf = (event) => connectCustomField(event.payload, "tenantId");
