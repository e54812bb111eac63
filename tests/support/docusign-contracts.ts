// Shared by the DocuSign contract suites (functions/docusign-admin, functions/docusign-signing-url): calling a
// portable handler directly, and enrollments with a signer in the states a contract goes through.
import type { Handler, Services } from "../../functions/_shared/context.ts";
import type { Db } from "../../functions/_shared/db/port.ts";
import { contextFor } from "./services.ts";

export const APP_URL = "https://ips.example.test";

export interface Answer {
  status: number;
  headers: Headers;
  bytes: Uint8Array;
  text: string;
  json: Record<string, any>;
}

/** `handler` answering one request to `path` on APP_URL, read whole (bytes, text and JSON when it is JSON). */
export async function callFunction(
  handler: Handler, services: Services, method: string, path: string,
  options: { token?: string | null; body?: unknown; params?: Record<string, string> } = {},
): Promise<Answer> {
  const headers = new Headers({ "content-type": "application/json" });
  if (options.token) headers.set("authorization", `Bearer ${options.token}`);
  const init: RequestInit = { method, headers, ...(options.body !== undefined ? { body: typeof options.body === "string" ? options.body : JSON.stringify(options.body) } : {}) };
  const res = await handler(new Request(`${APP_URL}${path}`, init), contextFor(services, options.params ?? {}));
  const bytes = new Uint8Array(await res.arrayBuffer());
  const text = new TextDecoder().decode(bytes);
  let json: Record<string, any> = {};
  try {
    json = JSON.parse(text) as Record<string, any>;
  } catch {
    // not JSON: assertions on json fail visibly
  }
  return { status: res.status, headers: res.headers, bytes, text, json };
}

/** An enrollment of `tenantId` with student "Ada Student" and a signer (Grace Parent unless given), at `status`. */
export async function enrollmentWithSigner(
  db: Db, tenantId: string,
  signer: { name?: string | null; email?: string | null; status?: string; tuition?: { amount: number; currency: string } } = {},
): Promise<string> {
  const [row] = await db.query<{ id: string }>(
    `insert into enrollments (tenant_id, student_name, signer_name, signer_email, signature_status, tuition_amount, tuition_currency)
     values ($1, 'Ada Student', $2, $3, $4, $5, $6) returning id`,
    [
      tenantId, signer.name === undefined ? "Grace Parent" : signer.name, signer.email === undefined ? "grace.parent@example.com" : signer.email,
      signer.status ?? "none", signer.tuition?.amount ?? null, signer.tuition?.currency ?? null,
    ],
  );
  return row!.id;
}

export type SignatureRow = {
  signature_status: string;
  signature_envelope_id: string | null;
  signature_sent_at: Date | null;
  signature_completed_at: Date | null;
  signature_sending_at: Date | null;
  signature_client_user_id: string | null;
};

/** The enrollment's contract columns. */
export const signatureOf = async (db: Db, id: string): Promise<SignatureRow> => (await db.query<SignatureRow>(
  `select signature_status, signature_envelope_id, signature_sent_at, signature_completed_at, signature_sending_at, signature_client_user_id
     from enrollments where id = $1`, [id]))[0]!;
