import type { DocuSignClient } from "./client.ts";
import { DocuSignApiError } from "./errors.ts";

const envelopePath = (envelopeId: string) => `/envelopes/${encodeURIComponent(envelopeId)}`;

/**
 * Voids a sent envelope: `PUT /envelopes/{id}` `{status: "voided", voidedReason}`
 * (developers.docusign.com/docs/esign-rest-api/reference/envelopes/envelopes/update/). DocuSign tells the
 * signer, with the reason.
 */
export async function voidEnvelope(client: DocuSignClient, envelopeId: string, reason: string): Promise<void> {
  await client.call("PUT", envelopePath(envelopeId), { status: "voided", voidedReason: reason });
}

/**
 * Sends the signer DocuSign's email again: `PUT /envelopes/{id}?resend_envelope=true` with an empty
 * envelope (Envelopes:update, same page: "resend_envelope: When true, sends the specified envelope again").
 */
export async function resendEnvelope(client: DocuSignClient, envelopeId: string): Promise<void> {
  await client.call("PUT", `${envelopePath(envelopeId)}?resend_envelope=true`, {});
}

/**
 * The envelope's documents as one PDF (with the certificate of completion once signed), streamed:
 * `GET /envelopes/{id}/documents/combined` (EnvelopeDocuments:get with documentId `combined`,
 * developers.docusign.com/docs/esign-rest-api/reference/envelopes/envelopedocuments/get/).
 */
export function downloadCombinedPdf(client: DocuSignClient, envelopeId: string): Promise<Response> {
  return client.download(`${envelopePath(envelopeId)}/documents/combined`);
}

/**
 * A single-use URL where an embedded recipient signs (open it within minutes):
 * `POST /envelopes/{id}/views/recipient` `{returnUrl, authenticationMethod, email, userName, clientUserId}`
 * → `{url}` (EnvelopeViews:createRecipient, developers.docusign.com/docs/esign-rest-api/reference/envelopes/envelopeviews/createrecipient/;
 * docusign/code-examples-node `lib/eSignature/examples/embeddedSigning.js`). `returnUrl`'s `?event=` is
 * no proof of signing: Connect is.
 */
export async function createRecipientView(
  client: DocuSignClient, envelopeId: string, view: { returnUrl: string; email: string; userName: string; clientUserId: string },
): Promise<string> {
  const body = ((await client.call("POST", `${envelopePath(envelopeId)}/views/recipient`, {
    returnUrl: view.returnUrl, authenticationMethod: "none", email: view.email, userName: view.userName, clientUserId: view.clientUserId,
  })) ?? {}) as { url?: unknown };
  if (typeof body.url !== "string" || !body.url) {
    throw new DocuSignApiError("api", "unexpected_response", 201, "DocuSign's answer to the recipient view had no url");
  }
  return body.url;
}
