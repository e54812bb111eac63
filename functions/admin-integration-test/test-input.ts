import * as z from "zod";
import { fieldErrors } from "../_shared/http/validation.ts";
import { CATALOG, type IntegrationKey } from "../_shared/integrations/catalog.ts";

/** `POST /api/admin/integrations/{key}/test` body: credentials and settings to try, each field optional. */
const TestBody = z.strictObject({
  credentials: z.record(z.string(), z.unknown()).optional(),
  settings: z.record(z.string(), z.unknown()).optional(),
});

export interface Stored {
  credentials: Record<string, unknown>;
  settings: Record<string, unknown>;
}

export type TestInput =
  | {
    ok: true;
    credentials: Record<string, unknown>;
    settings: Record<string, unknown>;
    /** Names of the credential fields the body supplied or removed (for the audit log; never their values). */
    givenCredentials: string[];
  }
  | { ok: false; errors: Record<string, string[]> };

const withoutNulls = (record: Record<string, unknown>) => Object.fromEntries(Object.entries(record).filter(([, v]) => v !== null));

/**
 * What to test: the body's credentials and settings, validated with the key's schemas (as a save would) and
 * laid over the stored ones, so an admin can try a new secret before saving it. No body: the stored ones.
 * As in a save, `null` leaves a stored field out (the test runs as if it were removed).
 * @example const input = testInput("stripe", await readJsonBody(req), stored);
 */
export function testInput(key: IntegrationKey, body: unknown, stored: Stored): TestInput {
  const parsed = TestBody.safeParse(body === undefined ? {} : body);
  if (!parsed.success) return { ok: false, errors: fieldErrors(parsed.error) };
  const catalog = CATALOG[key];

  const bodyCredentials = parsed.data.credentials ?? {};
  const given = catalog.credentials.partial().safeParse(withoutNulls(bodyCredentials));
  if (!given.success) return { ok: false, errors: fieldErrors(given.error, "credentials") };
  const removed = Object.keys(bodyCredentials).filter((field) => bodyCredentials[field] === null);
  const unknownRemoved = removed.filter((field) => !(field in catalog.credentials.shape));
  if (unknownRemoved.length) return { ok: false, errors: Object.fromEntries(unknownRemoved.map((f) => [`credentials.${f}`, ["unknown field"]])) };

  const settings = catalog.settings.safeParse(withoutNulls({ ...stored.settings, ...parsed.data.settings }));
  if (!settings.success) return { ok: false, errors: fieldErrors(settings.error, "settings") };

  const givenCredentials = Object.keys(bodyCredentials).sort();
  const credentials: Record<string, unknown> = { ...stored.credentials, ...given.data };
  for (const field of removed) delete credentials[field];
  return {
    ok: true,
    credentials,
    settings: settings.data as Record<string, unknown>,
    givenCredentials,
  };
}
