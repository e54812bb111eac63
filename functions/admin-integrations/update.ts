import * as z from "zod";
import { fieldErrors } from "../_shared/http/validation.ts";
import { CATALOG, type IntegrationKey } from "../_shared/integrations/catalog.ts";

/** `PUT /api/admin/integrations/{key}` body. A credential left out keeps its stored value; `null` removes it. */
const UpdateBody = z.strictObject({
  enabled: z.boolean().optional(),
  credentials: z.record(z.string(), z.unknown()).optional(),
  settings: z.record(z.string(), z.unknown()).optional(),
});

export interface Stored {
  enabled: boolean;
  credentials: Record<string, unknown>;
  settings: Record<string, unknown>;
}

export type UpdateResult =
  | {
    ok: true;
    next: Stored;
    /** Names only — these go to the audit log. */
    changed: { credentials: string[]; settings: string[]; enabled?: { from: boolean; to: boolean } };
    warnings: string[];
  }
  | { ok: false; errors: Record<string, string[]> };

const withoutNulls = (record: Record<string, unknown>) => Object.fromEntries(Object.entries(record).filter(([, v]) => v !== null));
const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

/**
 * Validates an update against the key's schemas and merges it over what is stored. Enabling requires the
 * fields its main job needs (CATALOG's requiredToEnable), each missing one named. Secrets arrive trimmed;
 * a trim is reported as a warning.
 */
export function applyUpdate(key: IntegrationKey, body: unknown, stored: Stored): UpdateResult {
  const parsedBody = UpdateBody.safeParse(body === undefined ? {} : body);
  if (!parsedBody.success) return { ok: false, errors: fieldErrors(parsedBody.error, "") };
  const { enabled, credentials = {}, settings = {} } = parsedBody.data;
  const catalog = CATALOG[key];

  const provided = catalog.credentials.partial().safeParse(withoutNulls(credentials));
  if (!provided.success) return { ok: false, errors: fieldErrors(provided.error, "credentials") };
  const removed = Object.keys(credentials).filter((field) => credentials[field] === null);
  const unknownRemoved = removed.filter((field) => !(field in catalog.credentials.shape));
  if (unknownRemoved.length) return { ok: false, errors: Object.fromEntries(unknownRemoved.map((f) => [`credentials.${f}`, ["unknown field"]])) };

  const nextCredentials: Record<string, unknown> = { ...stored.credentials, ...provided.data };
  for (const field of removed) delete nextCredentials[field];

  const mergedSettings = withoutNulls({ ...stored.settings, ...settings });
  const nextSettings = catalog.settings.safeParse(mergedSettings);
  if (!nextSettings.success) return { ok: false, errors: fieldErrors(nextSettings.error, "settings") };

  const nextEnabled = enabled ?? stored.enabled;
  if (nextEnabled) {
    // Counted on what is stored merged with this update: a credential left out keeps its stored value.
    const next = { credentials: nextCredentials, settings: nextSettings.data as Record<string, unknown> };
    const missing = catalog.requiredToEnable.filter((path) => {
      const [group, field] = path.split(".") as ["credentials" | "settings", string];
      return next[group][field] === undefined;
    });
    if (missing.length) {
      return { ok: false, errors: Object.fromEntries(missing.map((path) => [path, ["required to enable this integration"]])) };
    }
  }

  // Lists (DocuSign's hmacKeys) are trimmed element by element: compare the whole value.
  const warnings = Object.entries(provided.data)
    .filter(([field, value]) => !same(credentials[field], value))
    .map(([field]) => `credentials.${field} had leading or trailing whitespace, which was removed`);

  const credentialFields = new Set([...Object.keys(stored.credentials), ...Object.keys(nextCredentials)]);
  const settingFields = new Set([...Object.keys(stored.settings), ...Object.keys(nextSettings.data)]);
  return {
    ok: true,
    next: { enabled: nextEnabled, credentials: nextCredentials, settings: nextSettings.data as Record<string, unknown> },
    changed: {
      credentials: [...credentialFields].filter((f) => !same(stored.credentials[f], nextCredentials[f])).sort(),
      settings: [...settingFields].filter((f) => !same(stored.settings[f], (nextSettings.data as Record<string, unknown>)[f])).sort(),
      ...(nextEnabled !== stored.enabled ? { enabled: { from: stored.enabled, to: nextEnabled } } : {}),
    },
    warnings,
  };
}
