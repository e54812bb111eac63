import { requireServiceRole } from "../auth/service-role.ts";
import type { Context, Handler } from "../context.ts";
import { problemForError } from "./error-problem.ts";
import { json } from "./responses.ts";

/** A scheduled job's work: runs once per call and says what it did (counts, never payloads or secrets). */
export type Job = (ctx: Context) => Promise<Record<string, unknown>>;

/**
 * A job as a function: AWS runs it on the manifest's `schedule` (the Lambda runtime sets
 * `ctx.trigger = "schedule"`); anywhere else — `npm run dev`, Supabase's pg_cron calling the Edge Function,
 * an operator — it is `POST`ed with the service_role key. Answers 200 with the job's summary.
 * @example export const handler = jobHandler("email-sender", sendDueEmails);
 */
export function jobHandler(fn: string, job: Job): Handler {
  return async (req, ctx) => {
    const log = ctx.log.child({ fn, requestId: ctx.requestId });
    try {
      if (ctx.trigger !== "schedule") await requireServiceRole(ctx.config, req);
      const started = ctx.now();
      const summary = await job({ ...ctx, log });
      log.info("job finished", { durationMs: ctx.now() - started, ...flatCounts(summary) });
      return json(summary);
    } catch (error) {
      return problemForError(error, log);
    }
  };
}

/** The numeric fields of a summary, for the log line. */
function flatCounts(summary: Record<string, unknown>): Record<string, number> {
  return Object.fromEntries(Object.entries(summary).filter((entry): entry is [string, number] => typeof entry[1] === "number"));
}
