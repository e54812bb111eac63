import type { Principal } from "../auth/principal.ts";
import type { Context } from "../context.ts";
import type { Db } from "../db/port.ts";
import { problem } from "./responses.ts";

/** A fixed-window limit: at most `limit` hits per `windowSeconds` on `bucket`. */
export interface RateLimitRule {
  /** What is counted: `webhook-ip:<slug>:<ip>`, `user:<userId>`. */
  bucket: string;
  /** Kept on the row when the tenant is known (and exists), so a deleted tenant takes its counters along. */
  tenantId?: string | undefined;
  limit: number;
  windowSeconds: number;
}

export type RateLimitDecision =
  | { allowed: true; hits: number }
  | { allowed: false; hits: number; retryAfterSeconds: number };

// Every window used here is a minute or less: a row an hour older than the current window is dead.
const PRUNE_AFTER_MS = 3_600_000;

/**
 * Counts one hit on `rule.bucket` in the current fixed window — one atomic upsert, so every instance (Lambda,
 * edge isolate, dev server) sharing the database shares the count — and says whether it is within the limit.
 * The window comes from `nowMs` (the instance clock, kept in step by NTP; tests move it). The first hit of a
 * window also deletes windows older than an hour, so the table stays small without a job.
 * @example const decision = await hitRateLimit(db, { bucket: `user:${id}`, limit: 600, windowSeconds: 60 }, Date.now());
 */
export async function hitRateLimit(db: Db, rule: RateLimitRule, nowMs: number): Promise<RateLimitDecision> {
  const windowMs = rule.windowSeconds * 1000;
  const windowStartMs = Math.floor(nowMs / windowMs) * windowMs;
  const [row] = await db.query<{ hits: number }>(
    `insert into rate_limits (tenant_id, bucket, window_start, hits)
     values ((select id from tenants where id = $1::uuid), $2, $3, 1)
     on conflict (bucket, window_start) do update set hits = rate_limits.hits + 1
     returning hits`,
    [rule.tenantId ?? null, rule.bucket, new Date(windowStartMs)],
  );
  const hits = row!.hits;
  if (hits === 1) {
    await db.query("delete from rate_limits where window_start < $1", [new Date(windowStartMs - PRUNE_AFTER_MS)]);
  }
  if (hits <= rule.limit) return { allowed: true, hits };
  return { allowed: false, hits, retryAfterSeconds: Math.max(1, Math.ceil((windowStartMs + windowMs - nowMs) / 1000)) };
}

/** The 429 answer for a refused hit, with `Retry-After` in seconds. */
export function tooManyRequests(decision: Extract<RateLimitDecision, { allowed: false }>): Response {
  return problem({
    status: 429, title: "Too many requests", detail: `try again in ${decision.retryAfterSeconds} s`, code: "ERR_RATE_LIMITED",
    headers: { "retry-after": String(decision.retryAfterSeconds) },
  });
}

/**
 * Applies a rule for a request: the 429 response when over the limit, else `undefined`. A limit of 0 is off.
 * Fails open: when the counter cannot be written (database down) the request goes on, and the function
 * answers as it would anyway (503 when it needs the database too).
 */
export async function enforceRateLimit(
  ctx: Pick<Context, "db" | "now" | "log">, rule: RateLimitRule,
): Promise<Response | undefined> {
  if (rule.limit <= 0) return undefined;
  try {
    const decision = await hitRateLimit(ctx.db, rule, ctx.now());
    if (decision.allowed) return undefined;
    ctx.log.warn("rate limit exceeded", { code: "ERR_RATE_LIMITED", limit: rule.limit, retryAfterSeconds: decision.retryAfterSeconds });
    return tooManyRequests(decision);
  } catch (error) {
    ctx.log.warn("rate limit not checked", { code: (error as { code?: string } | null)?.code ?? "unknown" });
    return undefined;
  }
}

/** Per client IP on one webhook function (`WEBHOOK_RATE_LIMIT_PER_MINUTE`); no IP known, no limit. */
export function webhookClientRule(ctx: Pick<Context, "config" | "clientIp">, slug: string): RateLimitRule | undefined {
  if (!ctx.clientIp) return undefined;
  return { bucket: `webhook-ip:${slug}:${ctx.clientIp}`, limit: ctx.config.rateLimits.webhookPerMinute, windowSeconds: 60 };
}

/** Per signed-in user, across every token-authenticated function (`USER_RATE_LIMIT_PER_MINUTE`). */
export function userRule(ctx: Pick<Context, "config">, principal: Principal): RateLimitRule {
  return { bucket: `user:${principal.userId}`, tenantId: principal.tenantId, limit: ctx.config.rateLimits.userPerMinute, windowSeconds: 60 };
}
