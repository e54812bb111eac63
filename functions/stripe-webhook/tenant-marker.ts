import type { TenantMarkerOf } from "../_shared/webhooks/tenant-marker.ts";
import { objectOf } from "./fields.ts";

/**
 * The school a Stripe event belongs to: `metadata.tenant_id`, which our checkout sets on the session, its
 * payment intent and its subscription (functions/checkout/session-params.ts); an invoice carries its
 * subscription's metadata in `subscription_details` (before API 2025-03-31) or `parent.subscription_details`.
 * A refund, charge or dispute made in the dashboard may carry its own.
 */
export const stripeTenantMarker: TenantMarkerOf = (event) => {
  const object = objectOf(objectOf(objectOf(event.payload).data).object);
  const sources = [object, objectOf(object.subscription_details), objectOf(objectOf(object.parent).subscription_details)];
  for (const source of sources) {
    const marker = objectOf(source.metadata).tenant_id;
    if (marker !== undefined && marker !== null && marker !== "") return marker;
  }
  return undefined;
};
