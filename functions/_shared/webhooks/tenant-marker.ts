// Several schools may share one provider account (a district): each school's endpoint then receives every
// event of that account, its own and its neighbours'. Our objects carry the school they belong to — a
// "tenant marker" (Stripe `metadata.tenant_id`, SendGrid `ips_tenant_id`, DocuSign's `tenantId` custom
// field) — and an event whose marker names another school is stored and acknowledged, never applied:
// no row, no email, nothing in that school's lists (DESIGN.md "Webhook semantics" rule 5).
import type { EffectOf, IncomingEvent } from "./record-event.ts";

/**
 * Where a provider's event names the tenant it belongs to: the marker's raw value, or `undefined` when the
 * event carries none (an object made outside our app, an event about no object of ours).
 */
export type TenantMarkerOf = (event: IncomingEvent) => unknown;

/**
 * Whether a marker names a tenant other than `tenantId`. No marker (absent, null, empty) → false: such
 * events behave as they always did. A marker that is not a string cannot be ours → true.
 */
export function namesAnotherTenant(marker: unknown, tenantId: string): boolean {
  if (marker === undefined || marker === null || marker === "") return false;
  return typeof marker !== "string" || marker.trim().toLowerCase() !== tenantId.toLowerCase();
}

/**
 * A provider's `effectOf` that builds no effect for an event marked as another tenant's, so every path
 * that applies events (a delivery, the retry job, an admin's replay, reconciliation) skips it alike.
 * @example export const effectOf = ownTenantOnly(stripeTenantMarker, (tenantId, event) => ...);
 */
export function ownTenantOnly(markerOf: TenantMarkerOf, effectOf: EffectOf): EffectOf {
  return (tenantId, event) => (namesAnotherTenant(markerOf(event), tenantId) ? undefined : effectOf(tenantId, event));
}
