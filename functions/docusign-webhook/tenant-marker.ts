import type { TenantMarkerOf } from "../_shared/webhooks/tenant-marker.ts";

const TENANT_FIELD = "tenantId";

const objectOf = (value: unknown): Record<string, unknown> =>
  value && typeof value === "object" && !Array.isArray(value) ? (value as Record<string, unknown>) : {};

/**
 * The school a Connect event belongs to: the hidden `tenantId` text custom field every envelope we send
 * carries, in `data.envelopeSummary.customFields.textCustomFields[]` (present when the Connect
 * configuration includes custom fields).
 */
export const docuSignTenantMarker: TenantMarkerOf = (event) => {
  const summary = objectOf(objectOf(objectOf(event.payload).data).envelopeSummary);
  const fields = objectOf(summary.customFields).textCustomFields;
  if (!Array.isArray(fields)) return undefined;
  return fields.map(objectOf).find((field) => field.name === TENANT_FIELD)?.value;
};
