import type { DocuSignClient } from "./client.ts";
import { DocuSignApiError } from "./errors.ts";

export interface TemplateEnvelope {
  templateId: string;
  /** The template role the signer fills (`templateRoles[].roleName`). */
  roleName: string;
  signer: { email: string; name: string };
}

export interface SentEnvelope {
  envelopeId: string;
  status: string;
  statusDateTime: string | null;
}

/**
 * Sends an envelope from a template to one signer: `POST /envelopes` with `status: "sent"` (DocuSign emails
 * the signer at once) → 201 `{envelopeId, status}`. Not idempotent, so never retried on a network error
 * (only the client's one retry after a 401, when DocuSign created nothing).
 * @example const { envelopeId } = await sendEnvelopeFromTemplate(client, { templateId, roleName: "signer", signer: { email, name } });
 */
export async function sendEnvelopeFromTemplate(client: DocuSignClient, envelope: TemplateEnvelope): Promise<SentEnvelope> {
  const body = ((await client.call("POST", "/envelopes", {
    templateId: envelope.templateId,
    templateRoles: [{ email: envelope.signer.email, name: envelope.signer.name, roleName: envelope.roleName }],
    status: "sent",
  })) ?? {}) as Record<string, unknown>;
  if (typeof body.envelopeId !== "string" || !body.envelopeId) {
    throw new DocuSignApiError("api", "unexpected_response", 201, "DocuSign's answer to the envelope had no envelopeId");
  }
  return {
    envelopeId: body.envelopeId,
    status: typeof body.status === "string" ? body.status : "sent",
    statusDateTime: typeof body.statusDateTime === "string" ? body.statusDateTime : null,
  };
}
