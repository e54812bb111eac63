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
  const { windowStartMs } = windowOf(rule, nowMs);
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
  return decide(rule, nowMs, hits, hits <= rule.limit);
}

/**
 * Whether `rule.bucket` has a hit left in the current window, WITHOUT counting one (one primary-key read):
 * for callers that count only some requests and want to refuse the rest cheaply once the budget is spent.
 * @example if (!(await peekRateLimit(db, rule, now)).allowed) return 429;
 */
export async function peekRateLimit(db: Db, rule: RateLimitRule, nowMs: number): Promise<RateLimitDecision> {
  const { windowStartMs } = windowOf(rule, nowMs);
  const [row] = await db.query<{ hits: number }>(
    "select hits from rate_limits where bucket = $1 and window_start = $2", [rule.bucket, new Date(windowStartMs)],
  );
  const hits = row?.hits ?? 0;
  return decide(rule, nowMs, hits, hits < rule.limit);
}

function windowOf(rule: RateLimitRule, nowMs: number): { windowMs: number; windowStartMs: number } {
  const windowMs = rule.windowSeconds * 1000;
  return { windowMs, windowStartMs: Math.floor(nowMs / windowMs) * windowMs };
}

function decide(rule: RateLimitRule, nowMs: number, hits: number, allowed: boolean): RateLimitDecision {
  if (allowed) return { allowed: true, hits };
  const { windowMs, windowStartMs } = windowOf(rule, nowMs);
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
 * answers as it would anyway (503 when it needs the database too). `peek` checks without counting a hit.
 */
export async function enforceRateLimit(
  ctx: Pick<Context, "db" | "now" | "log">, rule: RateLimitRule, options: { peek?: boolean } = {},
): Promise<Response | undefined> {
  if (rule.limit <= 0) return undefined;
  try {
    const decision = await (options.peek ? peekRateLimit : hitRateLimit)(ctx.db, rule, ctx.now());
    if (decision.allowed) return undefined;
    ctx.log.warn("rate limit exceeded", { code: "ERR_RATE_LIMITED", limit: rule.limit, retryAfterSeconds: decision.retryAfterSeconds });
    return tooManyRequests(decision);
  } catch (error) {
    ctx.log.warn("rate limit not checked", { code: (error as { code?: string } | null)?.code ?? "unknown" });
    return undefined;
  }
}

/** Where requests with no IP the platform vouches for are counted together (see webhookFailureRule). */
export const UNVOUCHED_CLIENT = "unvouched";

/**
 * Requests that FAIL verification, per client IP, on one webhook function (`WEBHOOK_RATE_LIMIT_PER_MINUTE`).
 * A request whose IP nothing vouches for shares one bucket with every other such request: only failures are
 * counted, so sharing costs a verified delivery nothing, and a caller cannot dodge the limit by hiding its IP.
 */
export function webhookFailureRule(ctx: Pick<Context, "config" | "clientIp">, slug: string): RateLimitRule {
  return { bucket: `webhook-ip:${slug}:${ctx.clientIp ?? UNVOUCHED_CLIENT}`, limit: ctx.config.rateLimits.webhookPerMinute, windowSeconds: 60 };
}

/** Per signed-in user, across every token-authenticated function (`USER_RATE_LIMIT_PER_MINUTE`). */
export function userRule(ctx: Pick<Context, "config">, principal: Principal): RateLimitRule {
  return { bucket: `user:${principal.userId}`, tenantId: principal.tenantId, limit: ctx.config.rateLimits.userPerMinute, windowSeconds: 60 };
}
