import type { Db } from "../../db/port.ts";
import type { KeysetPosition } from "../../http/keyset-cursor.ts";
import { sql, type Statement } from "../../db/sql.ts";

/** The SendGrid events that put an address on a tenant's `email_suppressions` list. */
export type SuppressionReason = "bounce" | "dropped" | "spamreport" | "unsubscribe" | "group_unsubscribe";
/** `all`: no mail at all; `marketing`: only the transactional kinds (TRANSACTIONAL_KINDS) still go. */
export type SuppressionScope = "all" | "marketing";

export interface Suppression {
  tenantId: string;
  /** Lower-cased: SendGrid reports the address as the family typed it, we send to it as stored. */
  email: string;
  reason: SuppressionReason;
  scope: SuppressionScope;
  detail: string | null;
}

/**
 * Puts an address on the tenant's list, gated like every event effect. A row already there only widens
 * (`marketing` → `all`, with the reason that widened it), never narrows: an unsubscribe arriving after a
 * bounce leaves the address fully suppressed, in whichever order SendGrid delivers them.
 */
export function upsertSuppressionStatement(s: Suppression, gate: Statement): Statement {
  return sql`insert into email_suppressions (tenant_id, email, reason, scope, detail)
    select ${s.tenantId}::uuid, lower(${s.email}::text), ${s.reason}::text, ${s.scope}::text, ${s.detail}::text
     where ${gate}
    on conflict (tenant_id, email) do update set
      reason = case when email_suppressions.scope = 'marketing' then excluded.reason else email_suppressions.reason end,
      detail = case when email_suppressions.scope = 'marketing' then excluded.detail else email_suppressions.detail end,
      scope = case when excluded.scope = 'all' then 'all' else email_suppressions.scope end,
      updated_at = now()`;
}

export interface SuppressionRow {
  [column: string]: unknown;
  id: string;
  email: string;
  reason: SuppressionReason;
  scope: SuppressionScope;
  detail: string | null;
  created_at: Date;
  updated_at: Date;
  /** `created_at` in microseconds, for the keyset cursor. */
  created_micros: number;
}

const COLUMNS = "id, email, reason, scope, detail, created_at, updated_at, (extract(epoch from created_at) * 1000000)::int8 as created_micros";

/** One page of a tenant's list, newest first; `limit + 1` rows are read so the caller knows if more follow. */
export function listSuppressions(db: Db, tenantId: string, options: { limit: number; after?: KeysetPosition }): Promise<SuppressionRow[]> {
  const after = options.after;
  return db.query<SuppressionRow>(
    `select ${COLUMNS} from email_suppressions
      where tenant_id = $1
        and ($2::int8 is null or (created_at, id) < (timestamptz 'epoch' + $2::int8 * interval '1 microsecond', $3::uuid))
      order by created_at desc, id desc
      limit $4`,
    [tenantId, after?.createdAtMicros ?? null, after?.id ?? null, options.limit + 1],
  );
}

/** Removes an address from a tenant's list; answers the removed row, or undefined when it was not there. */
export async function deleteSuppression(db: Db, tenantId: string, email: string): Promise<SuppressionRow | undefined> {
  const [row] = await db.query<SuppressionRow>(
    `delete from email_suppressions where tenant_id = $1 and email = lower($2)
     returning ${COLUMNS}`,
    [tenantId, email],
  );
  return row;
}
