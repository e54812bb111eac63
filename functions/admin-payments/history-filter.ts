import { raw, sql, type Statement } from "../_shared/db/sql.ts";
import type { ListQuery } from "./list-query.ts";

/** The alias of the listed table in the query (a constant chosen in code, spliced in as SQL). */
export type HistoryAlias = "p" | "s";

/**
 * The `where` conditions of a newest-first history page on `alias` (a table with tenant_id, status,
 * enrollment_id, created_at, id), the keyset position included: `(created_at, id)` strictly before the
 * cursor's, compared at microsecond precision.
 * @example sql`select … from payments p where ${historyFilter("p", tenantId, query)} order by …`
 */
export function historyFilter(alias: HistoryAlias, tenantId: string, query: ListQuery<string>): Statement {
  const column = (name: string) => raw(`${alias}.${name}`);
  const conditions: Statement[] = [sql`${column("tenant_id")} = ${tenantId}`];
  if (query.status !== undefined) conditions.push(sql`${column("status")} = ${query.status}`);
  if (query.enrollmentId !== undefined) conditions.push(sql`${column("enrollment_id")} = ${query.enrollmentId}::uuid`);
  if (query.from !== undefined) conditions.push(sql`${column("created_at")} >= ${query.from}`);
  if (query.to !== undefined) conditions.push(sql`${column("created_at")} < ${query.to}`);
  if (query.after !== undefined) {
    conditions.push(sql`(${column("created_at")}, ${column("id")}) <
      (timestamptz 'epoch' + ${query.after.createdAtMicros}::int8 * interval '1 microsecond', ${query.after.id}::uuid)`);
  }
  return conditions.reduce((all, condition) => sql`${all} and ${condition}`);
}

/** Microseconds since the epoch of `created_at`, exact (extract returns numeric), for the next cursor. */
export const createdMicros = (alias: HistoryAlias): Statement => sql`(extract(epoch from ${raw(alias)}.created_at) * 1000000)::int8`;
