import { DbUnavailableError, type Db } from "../db/port.ts";
import { raw, sql, type Statement } from "../db/sql.ts";
import type { IntegrationKey } from "../integrations/catalog.ts";
import { storableEvent } from "./postgres-text.ts";
import { redactSecrets } from "./redact-secrets.ts";

/** A verified provider event, before storage. */
export interface IncomingEvent {
  /** The provider's idempotency key for it (Stripe `event.id`, SendGrid `sg_event_id`, …). */
  externalId: string;
  eventType: string;
  payload: unknown;
  /**
   * `payload` as JSON text when the caller already has it (the verified body), to skip re-serializing it
   * (still redacted first when it holds a credential: see redactSecrets).
   */
  payloadJson?: string;
}

/**
 * What applying an event does to the domain tables:
 * - `statements`: SQL statements (independent of each other's results) that must change nothing unless
 *   `gate` (an SQL boolean) holds. They are stored and applied as ONE atomic statement (one CTE each) —
 *   one round trip, no transaction held open — which is what most events need (an upsert or two).
 * - `apply`: several dependent statements, run in the transaction that stores the event.
 * Throwing (or a failing statement) leaves the event stored as `failed` for the retry job.
 */
export type EventEffect =
  | {
    statements: (gate: Statement) => Statement[];
    /**
     * What the statements read or write that another event's effect could too (`payment:<intent id>`), scoped to
     * the tenant by the caller. Only effects that name them may share one statement with other events (see
     * event-groups.ts), and never with one naming the same key: inside one statement a second change to the
     * same row is refused or, for a plain UPDATE, silently skipped. Without keys the event is applied alone.
     */
    keys?: readonly string[];
  }
  | { apply: (tx: Db) => Promise<void> };

/** The effect of an event for a tenant; `undefined` for events that are only recorded (unknown types). */
export type EffectOf = (tenantId: string, event: IncomingEvent) => EventEffect | undefined;

export type RecordOutcome = "processed" | "duplicate" | "failed";

const MAX_ERROR_LENGTH = 500;

/**
 * Inserts the event as processed, or — when the provider redelivers one that had failed — marks it
 * processed again. Returns its id only when this call stored it, so the effect runs at most once.
 */
export function storeProcessed(tenantId: string, source: IntegrationKey, { event, payloadJson }: StorableEvent): Statement {
  return sql`insert into webhook_events (tenant_id, source, event_type, external_id, payload, status, attempts, processed_at)
    values (${tenantId}, ${source}, ${event.eventType}, ${event.externalId}, ${payloadJson}::jsonb, 'processed', 1, now())
    on conflict (tenant_id, source, external_id) do update
      set status = 'processed', attempts = webhook_events.attempts + 1, processed_at = now(),
          last_error = null, next_attempt_at = null
      where webhook_events.status in ('failed', 'dead')
    returning id`;
}

function storeFailed(tenantId: string, source: IntegrationKey, { event, payloadJson }: StorableEvent, error: string): Statement {
  // First retry after a minute; the retry job backs off from there.
  return sql`insert into webhook_events (tenant_id, source, event_type, external_id, payload, status, attempts, last_error, next_attempt_at)
    values (${tenantId}, ${source}, ${event.eventType}, ${event.externalId}, ${payloadJson}::jsonb, 'failed', 1, ${error},
            now() + interval '1 minute')
    on conflict (tenant_id, source, external_id) do update
      set status = 'failed', attempts = webhook_events.attempts + 1, last_error = excluded.last_error,
          next_attempt_at = excluded.next_attempt_at
      where webhook_events.status in ('failed', 'dead')
    returning id`;
}

/**
 * The CTEs that store one event (`<name>`, a row only when this statement stored it) and apply its effect's
 * statements gated on that (`<name>_0`, `<name>_1`, …). Data-modifying CTEs all run, once, whether or not the
 * final select reads them.
 */
export function storeAndApplyCtes(name: string, store: Statement, effect: { statements: (gate: Statement) => Statement[] }): Statement {
  return effect.statements(sql`exists (select 1 from ${raw(name)})`)
    .reduce((ctes, statement, i) => sql`${ctes}, ${raw(`${name}_${i}`)} as (${statement})`, sql`${raw(name)} as (${store})`);
}

async function storeAndApply(db: Db, store: Statement, effect: EventEffect | undefined): Promise<boolean> {
  if (effect === undefined) return (await db.query(store.text, store.values)).length > 0;
  if ("statements" in effect) {
    const combined = sql`with ${storeAndApplyCtes("stored", store, effect)} select count(*)::int as stored from stored`;
    const [row] = await db.query<{ stored: number }>(combined.text, combined.values);
    return row!.stored > 0;
  }
  return db.transaction(async (tx) => {
    if ((await tx.query(store.text, store.values)).length === 0) return false;
    await effect.apply(tx);
    return true;
  });
}

/**
 * Stores an event exactly once and applies it atomically with storing it, so an event is either stored
 * and applied, or (when applying fails) stored as `failed` for the retry job — never applied twice and
 * never lost. A redelivery of an event already processed does nothing ("duplicate"); one of an event that
 * failed tries again. `DbUnavailableError` propagates: nothing was written, so the caller answers 503.
 * Credentials in the payload are redacted before anything reads it (the stored copy and the effect alike).
 * The effect is built here, inside the error handling: a builder that throws (an event shaped like nothing
 * we expected) leaves the event stored as `failed`, never an error for the provider.
 * @example const { outcome } = await recordAndApply(db, tenantId, "stripe", event, effectOf);
 */
export async function recordAndApply(
  db: Db, tenantId: string, source: IntegrationKey, event: IncomingEvent, effectOf: EffectOf,
): Promise<RecordResult> {
  return recordStorable(db, tenantId, source, storableIncoming(event), effectOf);
}

export type RecordResult = { outcome: RecordOutcome; error?: string };

/** A verified event as it is stored: credentials redacted, U+0000 replaced, with its JSON text. */
export interface StorableEvent {
  event: IncomingEvent;
  payloadJson: string;
}

/** The event as stored and as its effect reads it (see recordAndApply). */
export function storableIncoming(event: IncomingEvent): StorableEvent {
  const redacted = redactSecrets(event.payload, event.payloadJson);
  return storableEvent({ ...event, payload: redacted.payload, payloadJson: redacted.json }, redacted.json);
}

/** recordAndApply for an event already made storable. */
export async function recordStorable(
  db: Db, tenantId: string, source: IntegrationKey, storable: StorableEvent, effectOf: EffectOf,
): Promise<RecordResult> {
  try {
    const effect = effectOf(tenantId, storable.event);
    const applied = await storeAndApply(db, storeProcessed(tenantId, source, storable), effect);
    return { outcome: applied ? "processed" : "duplicate" };
  } catch (error) {
    if (error instanceof DbUnavailableError) throw error;
    const message = (error instanceof Error ? `${error.name}: ${error.message}` : String(error)).slice(0, MAX_ERROR_LENGTH);
    const failed = storeFailed(tenantId, source, storable, message);
    // No row: a redelivery of an event processed before, which stays as it was.
    if ((await db.query(failed.text, failed.values)).length === 0) return { outcome: "duplicate" };
    return { outcome: "failed", error: message };
  }
}
