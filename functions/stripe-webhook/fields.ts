import { isUuid } from "../_shared/http/uuid.ts";

/** A Stripe object as delivered: untyped JSON, read field by field with the helpers below. */
export type StripeObject = Record<string, unknown>;

/** A string field, or `null` (Stripe expands some ids into objects: their `id` is taken). */
export function idOf(value: unknown): string | null {
  if (typeof value === "string" && value) return value;
  if (value && typeof value === "object" && typeof (value as StripeObject).id === "string") return (value as StripeObject).id as string;
  return null;
}

export function stringOf(value: unknown): string | null {
  return typeof value === "string" ? value : null;
}

export function integerOf(value: unknown): number | null {
  return typeof value === "number" && Number.isSafeInteger(value) ? value : null;
}

export function objectOf(value: unknown): StripeObject {
  return value && typeof value === "object" && !Array.isArray(value) ? (value as StripeObject) : {};
}

/** `metadata.enrollment_id` when it is a UUID (anything else cannot be ours and is ignored). */
export function enrollmentIdOf(...metadataSources: unknown[]): string | null {
  for (const source of metadataSources) {
    const candidate = objectOf(source).enrollment_id;
    if (typeof candidate === "string" && isUuid(candidate)) return candidate.toLowerCase();
  }
  return null;
}
