const objectOf = (value: unknown): Record<string, unknown> =>
  value && typeof value === "object" && !Array.isArray(value) ? (value as Record<string, unknown>) : {};

/**
 * The value of an envelope's text custom field: `customFields.textCustomFields[{name, value}]`, the shape both
 * the REST API (Envelopes:listStatusChanges with `include=custom_fields`) and a Connect event's
 * `envelopeSummary` carry (docusign/OpenAPI-Specifications `esignature.rest.swagger-v2.1.json`,
 * `textCustomField`). Every envelope we send carries `tenantId` and `enrollmentId` (./envelopes.ts).
 * Read from untrusted JSON: anything of the wrong shape is absent. The raw value is returned, not coerced:
 * a tenant marker that is not a string is nobody's.
 * @example textCustomField({ customFields: { textCustomFields: [{ name: "enrollmentId", value: "0f6f…" }] } }, "enrollmentId") // "0f6f…"
 */
export function textCustomField(envelope: unknown, name: string): unknown {
  const fields = objectOf(objectOf(envelope).customFields).textCustomFields;
  if (!Array.isArray(fields)) return undefined;
  return fields.map(objectOf).find((field) => field.name === name)?.value;
}
