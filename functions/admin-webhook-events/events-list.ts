import type { Principal } from "../_shared/auth/principal.ts";
import type { Context } from "../_shared/context.ts";
import { raw, sql, type Statement } from "../_shared/db/sql.ts";
import { keysetPage, rowPosition } from "../_shared/http/keyset-cursor.ts";
import { json } from "../_shared/http/responses.ts";
import { validationProblem } from "../_shared/http/validation.ts";
import { EVENT_COLUMNS, eventView, type EventRow } from "./event-view.ts";
import { parseEventsQuery, type EventsQuery } from "./events-query.ts";

/** `like` pattern for a prefix, with the prefix's own `%`, `_` and `\` taken literally. */
const likePrefix = (prefix: string) => `${prefix.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

function eventsFilter(tenantId: string, query: EventsQuery): Statement {
  const conditions: Statement[] = [sql`e.tenant_id = ${tenantId}`];
  if (query.source) conditions.push(sql`e.source = ${query.source}`);
  if (query.status) conditions.push(sql`e.status = ${query.status}`);
  if (query.type && "exact" in query.type) conditions.push(sql`e.event_type = ${query.type.exact}`);
  if (query.type && "prefix" in query.type) conditions.push(sql`e.event_type like ${likePrefix(query.type.prefix)}`);
  if (query.before) conditions.push(sql`e.created_at < ${query.before}`);
  if (query.after) {
    conditions.push(sql`(e.created_at, e.id) <
      (timestamptz 'epoch' + ${query.after.createdAtMicros}::int8 * interval '1 microsecond', ${query.after.id}::uuid)`);
  }
  return conditions.reduce((all, condition) => sql`${all} and ${condition}`);
}

/**
 * GET /api/admin/webhook-events — the tenant's stored events, newest first, `limit` per page with a
 * `nextCursor`; each event's payload only with `?payload=true` (payloads can be large and hold personal data).
 */
export async function listEvents(req: Request, ctx: Context, admin: Principal): Promise<Response> {
  const parsed = parseEventsQuery(new URL(req.url));
  if (!parsed.ok) return validationProblem("Invalid query", parsed.errors);
  const { query } = parsed;
  const statement = sql`
    select ${raw(EVENT_COLUMNS)}${raw(query.includePayload ? ", e.payload" : "")},
           (extract(epoch from e.created_at) * 1000000)::int8 as created_micros
      from webhook_events e
     where ${eventsFilter(admin.tenantId, query)}
     order by e.created_at desc, e.id desc
     limit ${query.limit + 1}`;
  const rows = await ctx.db.query<EventRow & { created_micros: number }>(statement.text, statement.values);
  const { page, nextCursor } = keysetPage(rows, query.limit, rowPosition);
  return json({
    events: page.map(({ created_micros: _micros, ...row }) => eventView(row as EventRow)),
    nextCursor,
  });
}
