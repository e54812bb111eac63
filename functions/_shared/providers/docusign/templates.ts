import type { DocuSignClient } from "./client.ts";

/** A role of a template: what `templateRoles[].roleName` fills when an envelope is sent from it. */
export interface TemplateRole {
  roleName: string;
  /** DocuSign's recipient type: `signer`, `carbonCopy`, `inPersonSigner`, … */
  type: string;
  recipientId: string | null;
  routingOrder: string | null;
}

export interface TemplateSummary {
  templateId: string;
  name: string;
  description: string | null;
  lastModified: string | null;
  roles: TemplateRole[];
}

export interface TemplatePage {
  templates: TemplateSummary[];
  total: number;
  /** `startPosition` of the next page, `null` on the last one. */
  nextStartPosition: number | null;
}

const str = (value: unknown) => (typeof value === "string" && value ? value : null);
const int = (value: unknown) => {
  const n = typeof value === "number" ? value : typeof value === "string" && /^\d+$/.test(value) ? Number(value) : NaN;
  return Number.isInteger(n) ? n : null;
};

/** DocuSign's recipient groups under `recipients` and the type each holds. */
const RECIPIENT_TYPES: Record<string, string> = {
  signers: "signer", carbonCopies: "carbonCopy", certifiedDeliveries: "certifiedDelivery", inPersonSigners: "inPersonSigner",
  agents: "agent", editors: "editor", intermediaries: "intermediary", witnesses: "witness", notaries: "notary", seals: "seal",
  participants: "participant",
};

/** Every role of a template's recipients: each array under `recipients` is one recipient type (`signers` → `signer`). */
function rolesOf(recipients: unknown): TemplateRole[] {
  if (!recipients || typeof recipients !== "object") return [];
  return Object.entries(recipients as Record<string, unknown>).flatMap(([group, members]) =>
    Array.isArray(members)
      ? (members as Record<string, unknown>[]).flatMap((m) => {
          const roleName = str(m?.roleName);
          return roleName
            ? [{ roleName, type: RECIPIENT_TYPES[group] ?? group, recipientId: str(m.recipientId), routingOrder: str(m.routingOrder) }]
            : [];
        })
      : []);
}

/**
 * One page of the account's templates with their roles: `GET /templates?include=recipients`.
 * DocuSign answers counts as strings (`"totalSetSize": "12"`).
 * @example const page = await listTemplates(client, { count: 100, startPosition: 0 });
 */
export async function listTemplates(client: DocuSignClient, page: { count: number; startPosition: number }): Promise<TemplatePage> {
  const query = new URLSearchParams({ include: "recipients", count: String(page.count), start_position: String(page.startPosition), order_by: "name" });
  const body = ((await client.call("GET", `/templates?${query}`)) ?? {}) as Record<string, unknown>;
  const raw = Array.isArray(body.envelopeTemplates) ? (body.envelopeTemplates as Record<string, unknown>[]) : [];
  const templates = raw.flatMap((t) => {
    const templateId = str(t?.templateId);
    return templateId
      ? [{ templateId, name: str(t.name) ?? "", description: str(t.description), lastModified: str(t.lastModified), roles: rolesOf(t.recipients) }]
      : [];
  });
  const total = int(body.totalSetSize) ?? templates.length;
  const end = int(body.endPosition);
  const next = end !== null && raw.length > 0 ? end + 1 : null;
  return { templates, total, nextStartPosition: next !== null && next < total ? next : null };
}
