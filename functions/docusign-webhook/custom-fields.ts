const objectOf = (value: unknown): Record<string, unknown> =>
  value && typeof value === "object" && !Array.isArray(value) ? (value as Record<string, unknown>) : {};

/**
 * The value of an envelope's text custom field in a Connect event (JSON SIM):
 * `data.envelopeSummary.customFields.textCustomFields[{name, value}]`, present when the Connect
 * configuration has "Include custom fields" on (developers.docusign.com/platform/webhooks/connect/json-sim-event-model).
 * Every envelope we send carries `tenantId` and `enrollmentId` (functions/_shared/providers/docusign/envelopes.ts).
 * @example connectCustomField(event, "enrollmentId") // "0f6f…", or undefined when absent
 */
export function connectCustomField(payload: unknown, name: string): unknown {
  const summary = objectOf(objectOf(objectOf(payload).data).envelopeSummary);
  const fields = objectOf(summary.customFields).textCustomFields;
  if (!Array.isArray(fields)) return undefined;
  // The raw value: a tenant marker that is not a string is nobody's (see namesAnotherTenant).
  return fields.map(objectOf).find((field) => field.name === name)?.value;
}
