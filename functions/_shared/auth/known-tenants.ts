import type { Db } from "../db/port.ts";
import { AuthError } from "./principal.ts";

/** How many tenants an instance remembers; past it the oldest is forgotten (and simply looked up again). */
export const KNOWN_TENANTS_MAX = 1_000;

// Per Db (one per cold start; tests open several), so a tenant seen in one database is never taken as
// existing in another.
const knownByDb = new WeakMap<Db, Set<string>>();

/**
 * Throws AuthError 403 `ERR_AUTH_TENANT` when a verified token names a tenant that does not exist (a token
 * minted for another project, a school deleted before this instance first saw it): a clear refusal instead of
 * a foreign-key error deep in a handler. A tenant found is remembered for the life of the instance, so each
 * instance asks once per tenant — a school deleted later is refused only by instances started after that.
 * A tenant not found is asked again next time, on purpose: the school may be created a moment later, and the
 * re-check is one primary-key lookup, reachable only with a token signed by our issuer and only after the
 * per-user rate limit has counted it.
 * @example await requireKnownTenant(ctx.db, principal.tenantId);
 */
export async function requireKnownTenant(db: Db, tenantId: string): Promise<void> {
  let known = knownByDb.get(db);
  if (known?.has(tenantId)) return;
  const [row] = await db.query<{ found: number }>("select 1 as found from tenants where id = $1::uuid", [tenantId]);
  if (!row) throw new AuthError(403, "ERR_AUTH_TENANT", "the token's tenant does not exist");
  if (!known) knownByDb.set(db, (known = new Set()));
  // A Set iterates in insertion order: the first entry is the oldest.
  if (known.size >= KNOWN_TENANTS_MAX) known.delete(known.values().next().value!);
  known.add(tenantId);
}
