// Group commit for runtimes that serve many deliveries at once (the dev server, a Deno isolate, a Node
// container): events that reach storage in the same turn of the event loop are stored and applied together, a
// few per statement — one round trip, one commit, one WAL flush for the group — instead of one each. A Lambda
// instance serves one request at a time and never builds these: it keeps the one-event path
// (recordAndApply).
//
// What does not change: a delivery is answered only after the statement holding its event has committed
// (never 2xx before durable); an event is stored once and applied at most once; a redelivery is a duplicate.
// A group is all-or-nothing: when its statement fails for any reason but an unreachable database, nothing of
// it was written and each event goes again on its own (recordStorable), so one bad event costs the others a
// retry, never their delivery. An unreachable database fails every event of the group (503: the provider
// retries).
import { DbUnavailableError, type Db } from "../db/port.ts";
import { raw, sql, type Statement } from "../db/sql.ts";
import type { IntegrationKey } from "../integrations/catalog.ts";
import {
  recordStorable, storableIncoming, storeAndApplyCtes, storeProcessed,
  type EffectOf, type IncomingEvent, type RecordResult, type StorableEvent,
} from "./record-event.ts";

// Defaults measured with the bench's in-process ingest (bench/ingest.ts) on a 2-core machine — Stripe
// payment_intent events at concurrency 8 and 32, maxEvents 4–64 × maxInFlight 2–8: past 4 events a statement's
// planning costs more than its shared commit saves, and fewer statements in flight leave PostgreSQL idle.
const DEFAULT_MAX_EVENTS = 4;
const DEFAULT_MAX_IN_FLIGHT = 4;

export interface EventGroupsOptions {
  /**
   * Most events in one statement. Few, so the texts a group can have (by size and shape) stay few: each is a
   * prepared statement, kept per connection and planned once. Default 4.
   */
  maxEvents?: number;
  /**
   * Group statements running at once per database; more waiting events form the next groups. At most the
   * pool's size, or groups wait for a connection instead of growing. Default 4.
   */
  maxInFlight?: number;
}

/** Records events like recordAndApply, grouping concurrent ones into one statement. */
export interface EventGroups {
  record(db: Db, tenantId: string, source: IntegrationKey, event: IncomingEvent, effectOf: EffectOf): Promise<RecordResult>;
}

interface Member {
  tenantId: string;
  source: IntegrationKey;
  storable: StorableEvent;
  /** Its effect, built once (EffectOf → the effect it returned), for the one-event path when it goes alone. */
  effectOf: EffectOf;
  /** The CTEs that store and apply it (named later, by position in its group). */
  ctes: (name: string) => Statement;
  keys: string[];
  settle: { resolve(result: RecordResult): void; reject(error: unknown): void };
}

interface Queue {
  waiting: Member[];
  inFlight: number;
  scheduled: boolean;
}

// A macrotask, so every delivery that is ready in this turn joins: setImmediate on Node; elsewhere (Deno
// user code has no setImmediate) a 0 ms timer.
const nextTurn: (run: () => void) => void =
  typeof (globalThis as { setImmediate?: unknown }).setImmediate === "function"
    ? (run) => void (globalThis as unknown as { setImmediate(run: () => void): unknown }).setImmediate(run)
    : (run) => void setTimeout(run, 0);

/**
 * @example const groups = createEventGroups(); const { outcome } = await groups.record(db, tenantId, "stripe", event, effectOf);
 */
export function createEventGroups(options: EventGroupsOptions = {}): EventGroups {
  const maxEvents = options.maxEvents ?? DEFAULT_MAX_EVENTS;
  const maxInFlight = options.maxInFlight ?? DEFAULT_MAX_IN_FLIGHT;
  const queues = new Map<Db, Queue>();

  function schedule(db: Db, queue: Queue): void {
    if (queue.scheduled || queue.waiting.length === 0 || queue.inFlight >= maxInFlight) return;
    queue.scheduled = true;
    nextTurn(() => {
      queue.scheduled = false;
      while (queue.waiting.length > 0 && queue.inFlight < maxInFlight) {
        const group = takeGroup(queue);
        queue.inFlight++;
        void runGroup(db, group).finally(() => {
          queue.inFlight--;
          if (queue.inFlight === 0 && queue.waiting.length === 0) queues.delete(db);
          else schedule(db, queue);
        });
      }
    });
  }

  /** The oldest waiting events whose keys no earlier member of the group holds; the rest wait on, in order. */
  function takeGroup(queue: Queue): Member[] {
    const group: Member[] = [];
    const held = new Set<string>();
    const rest: Member[] = [];
    for (const member of queue.waiting) {
      if (group.length < maxEvents && member.keys.every((key) => !held.has(key))) {
        group.push(member);
        for (const key of member.keys) held.add(key);
      } else rest.push(member);
    }
    queue.waiting = rest;
    return group;
  }

  return {
    record(db, tenantId, source, event, effectOf) {
      const storable = storableIncoming(event);
      let effect: ReturnType<EffectOf>;
      try {
        effect = effectOf(tenantId, storable.event);
      } catch {
        return recordStorable(db, tenantId, source, storable, effectOf); // stores it as failed
      }
      const built: EffectOf = () => effect;
      // Only effects that say what they touch are grouped (see EventEffect.keys); events that only get
      // recorded touch nothing but their own row.
      const groupable = effect === undefined || ("statements" in effect && effect.keys !== undefined);
      if (!groupable) return recordStorable(db, tenantId, source, storable, built);
      const applied = effect !== undefined && "statements" in effect ? effect : undefined;
      const store = storeProcessed(tenantId, source, storable);
      const keys = [`event:${tenantId}:${source}:${storable.event.externalId}`, ...(applied?.keys ?? []).map((key) => `${tenantId}:${key}`)];
      const ctes = (name: string) => (applied ? storeAndApplyCtes(name, store, applied) : sql`${raw(name)} as (${store})`);
      const queue = queues.get(db) ?? { waiting: [], inFlight: 0, scheduled: false };
      queues.set(db, queue);
      return new Promise<RecordResult>((resolve, reject) => {
        queue.waiting.push({ tenantId, source, storable, effectOf: built, ctes, keys, settle: { resolve, reject } });
        schedule(db, queue);
      });
    },
  };
}

/**
 * One statement for the whole group; a group of one is the one-event path itself. Its members are ordered by
 * shape, so the statement's text depends only on how many events of each shape it holds: a few texts serve
 * every group, each prepared once per connection and planned once (see EventGroupsOptions.maxEvents).
 */
async function runGroup(db: Db, members: Member[]): Promise<void> {
  if (members.length === 1) {
    const [only] = members as [Member];
    await recordStorable(db, only.tenantId, only.source, only.storable, only.effectOf).then(only.settle.resolve, only.settle.reject);
    return;
  }
  // A member's shape: its CTEs' text alone, the same for every member of one kind whatever their values.
  const shaped = members.map((member) => ({ member, shape: member.ctes("e").text }));
  const group = shaped.sort((a, b) => (a.shape < b.shape ? -1 : a.shape > b.shape ? 1 : 0)).map(({ member }) => member);
  let stored: boolean[];
  try {
    const ctes = group.map((member, i) => member.ctes(`e${i}`)).reduce((all, next) => sql`${all}, ${next}`);
    const counts = group.map((_, i) => `(select count(*)::int from e${i}) as "${i}"`).join(", ");
    const statement = sql`with ${ctes} select ${raw(counts)}`;
    const [row] = await db.query<Record<string, number>>(statement.text, statement.values);
    stored = group.map((_, i) => row![String(i)]! > 0);
  } catch (error) {
    if (error instanceof DbUnavailableError) {
      for (const member of group) member.settle.reject(error);
      return;
    }
    // Nothing of the group was written: each event on its own, where a failing effect is stored as failed.
    await Promise.all(group.map((member) =>
      recordStorable(db, member.tenantId, member.source, member.storable, member.effectOf).then(member.settle.resolve, member.settle.reject)));
    return;
  }
  group.forEach((member, i) => member.settle.resolve({ outcome: stored[i] ? "processed" : "duplicate" }));
}
