import { textCustomField } from "../_shared/providers/docusign/text-custom-field.ts";

const objectOf = (value: unknown): Record<string, unknown> =>
  value && typeof value === "object" && !Array.isArray(value) ? (value as Record<string, unknown>) : {};

/**
 * The value of an envelope's text custom field in a Connect event (JSON SIM): the envelope is
 * `data.envelopeSummary`, present with its custom fields when the Connect configuration has "Include custom
 * fields" on (developers.docusign.com/platform/webhooks/connect/json-sim-event-model). Read as every
 * envelope is, by textCustomField; the raw value, since a tenant marker that is not a string is nobody's
 * (see namesAnotherTenant).
 * @example connectCustomField(event, "enrollmentId") // "0f6f…", or undefined when absent
 */
export function connectCustomField(payload: unknown, name: string): unknown {
  return textCustomField(objectOf(objectOf(payload).data).envelopeSummary, name);
}
