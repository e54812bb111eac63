import { sql } from "../_shared/db/sql.ts";
import type { EffectOf } from "../_shared/webhooks/record-event.ts";

/**
 * `effectOf` for one claimed event, run only if the event is still `failed` once reapplyStoredEvent holds
 * its row lock. Between the claim and that lock a provider may redeliver the event and process it; applying
 * it again then would apply it twice. The check runs inside the re-apply's transaction, after its lock, so
 * nothing can change the status in between. `settled()` tells the caller that this is why it failed.
 * @example const guard = stillFailedGuard(event.id, effectOf); await reapplyStoredEvent(db, event, guard.effectOf);
 */
export function stillFailedGuard(eventId: string, effectOf: EffectOf): { effectOf: EffectOf; settled: () => boolean } {
  let settled = false;
  return {
    settled: () => settled,
    effectOf: (tenantId, event) => {
      const effect = effectOf(tenantId, event);
      return {
        apply: async (tx) => {
          const [row] = await tx.query<{ status: string }>("select status from webhook_events where id = $1", [eventId]);
          if (row?.status !== "failed") {
            settled = true;
            throw new Error("the event is no longer failed");
          }
          if (effect && "statements" in effect) {
            for (const statement of effect.statements(sql`true`)) await tx.query(statement.text, statement.values);
          } else if (effect) {
            await effect.apply(tx);
          }
        },
      };
    },
  };
}
