import type { DocuSignClient } from "./client.ts";
import { DOCUSIGN_CREATE_ENVELOPE_TIMEOUT_MS } from "./docusign-fetch.ts";
import { DocuSignApiError } from "./errors.ts";

export interface TemplateEnvelope {
  templateId: string;
  /** The template role the signer fills (`templateRoles[].roleName`). */
  roleName: string;
  signer: { email: string; name: string };
  /**
   * Hidden text custom fields (`show: "false"`): `tenantId` always (the tenant marker of Connect events),
   * `enrollmentId` for a contract (links Connect events, and the look-up after a lost answer).
   */
  customFields: { tenantId: string; enrollmentId?: string };
  /** Template text tabs prefilled by label (`studentName`, …); a label the template lacks is ignored by DocuSign. */
  textTabs?: Record<string, string>;
  /** Set: the signer is an embedded ("captive") recipient who signs in our portal, not from DocuSign's email. */
  clientUserId?: string;
}

export interface SentEnvelope {
  envelopeId: string;
  status: string;
  statusDateTime: string | null;
}

// DocuSign's limit for a custom field's value and a tab's value we fill (esignature.rest.swagger-v2.1.json).
const MAX_FIELD_VALUE = 100;

/**
 * The `POST /envelopes` body: the template, its signer role with prefilled text tabs
 * (`templateRoles[].tabs.textTabs[{tabLabel, value}]`, docusign/code-examples-node
 * `lib/eSignature/examples/setTemplateTabValues.js`) and hidden text custom fields
 * (`customFields.textCustomFields[{name, value, show: "false", required: "false"}]`; show/required are
 * strings in DocuSign's schema), `status: "sent"` so DocuSign sends it at once.
 */
export function envelopeBody(envelope: TemplateEnvelope): Record<string, unknown> {
  const fields = Object.entries(envelope.customFields).flatMap(([name, value]) =>
    value ? [{ name, value: value.slice(0, MAX_FIELD_VALUE), show: "false", required: "false" }] : []);
  const textTabs = Object.entries(envelope.textTabs ?? {}).map(([tabLabel, value]) => ({ tabLabel, value }));
  return {
    templateId: envelope.templateId,
    templateRoles: [{
      email: envelope.signer.email,
      name: envelope.signer.name,
      roleName: envelope.roleName,
      ...(envelope.clientUserId ? { clientUserId: envelope.clientUserId } : {}),
      ...(textTabs.length > 0 ? { tabs: { textTabs } } : {}),
    }],
    customFields: { textCustomFields: fields },
    status: "sent",
  };
}

/**
 * Sends an envelope from a template to one signer: `POST /envelopes` → 201 `{envelopeId, status}`
 * (developers.docusign.com/docs/esign-rest-api/reference/envelopes/envelopes/create/). Not idempotent, so
 * never retried on a network error (only the client's one retry after a 401, when DocuSign created
 * nothing); waits up to DOCUSIGN_CREATE_ENVELOPE_TIMEOUT_MS. A caller that must not send twice marks its
 * intent first and, after an unknown outcome, looks the envelope up (envelope-lookup.ts).
 * @example const { envelopeId } = await sendEnvelopeFromTemplate(client, { templateId, roleName: "signer", signer, customFields: { tenantId } });
 */
export async function sendEnvelopeFromTemplate(client: DocuSignClient, envelope: TemplateEnvelope): Promise<SentEnvelope> {
  const body = ((await client.call("POST", "/envelopes", envelopeBody(envelope), { timeoutMs: DOCUSIGN_CREATE_ENVELOPE_TIMEOUT_MS })) ?? {}) as Record<string, unknown>;
  if (typeof body.envelopeId !== "string" || !body.envelopeId) {
    throw new DocuSignApiError("api", "unexpected_response", 201, "DocuSign's answer to the envelope had no envelopeId");
  }
  return {
    envelopeId: body.envelopeId,
    status: typeof body.status === "string" ? body.status : "sent",
    statusDateTime: typeof body.statusDateTime === "string" ? body.statusDateTime : null,
  };
}
