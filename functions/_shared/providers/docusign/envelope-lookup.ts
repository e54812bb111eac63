import type { DocuSignClient } from "./client.ts";
import { textCustomField } from "./text-custom-field.ts";

/** An envelope found by its custom fields. */
export interface FoundEnvelope {
  envelopeId: string;
  /** DocuSign's envelope status: `sent`, `delivered`, `completed`, `declined`, `voided`, `created`, … */
  status: string;
  createdDateTime: string | null;
}

const str = (value: unknown) => (typeof value === "string" && value ? value : null);

/**
 * The newest envelope of the account whose `enrollmentId` custom field is `enrollmentId` and whose
 * `tenantId` field is `tenantId` (a district shares one account), changed since `fromDate`; `undefined`
 * when there is none. `GET /envelopes?from_date=…&custom_field=enrollmentId=<id>&include=custom_fields`
 * (Envelopes:listStatusChanges, developers.docusign.com/docs/esign-rest-api/reference/envelopes/envelopes/liststatuschanges/;
 * `from_date` is required unless envelope or transaction ids are given).
 * @example const found = await findEnvelopeByEnrollment(client, { tenantId, enrollmentId, fromDate });
 */
export async function findEnvelopeByEnrollment(
  client: DocuSignClient, lookup: { tenantId: string; enrollmentId: string; fromDate: Date },
): Promise<FoundEnvelope | undefined> {
  const query = new URLSearchParams({
    from_date: lookup.fromDate.toISOString(),
    custom_field: `enrollmentId=${lookup.enrollmentId}`,
    include: "custom_fields",
  });
  const body = ((await client.call("GET", `/envelopes?${query}`)) ?? {}) as { envelopes?: unknown };
  const envelopes = Array.isArray(body.envelopes) ? (body.envelopes as Record<string, unknown>[]) : [];
  return envelopes
    .filter((e) => str(e?.envelopeId) && textCustomField(e, "enrollmentId") === lookup.enrollmentId && textCustomField(e, "tenantId") === lookup.tenantId)
    .map((e) => ({ envelopeId: str(e.envelopeId)!, status: str(e.status) ?? "sent", createdDateTime: str(e.createdDateTime) }))
    .sort((a, b) => (b.createdDateTime ?? "").localeCompare(a.createdDateTime ?? ""))[0];
}
