// Shared by the Deno suites: the same test secrets as the vitest suites, Stripe signing on WebCrypto, and the
// database the run uses (the real PostgreSQL when DATABASE_URL or TEST_DATABASE_URL is set, else PGlite).
import { migrate } from "../../functions/_shared/db/migrate.ts";
import { createPgliteDb } from "../../functions/_shared/db/pglite.ts";
import type { DbPool } from "../../functions/_shared/db/port.ts";
import { createPostgresDb } from "../../functions/_shared/db/postgres.ts";
import { loadMigrations } from "../../functions/runtimes/node/migrations.ts";

export { TEST_ENCRYPTION_KEY, TEST_JWT_SECRET } from "../../tests/support/services.ts";

export const REAL_DATABASE_URL = Deno.env.get("TEST_DATABASE_URL") || Deno.env.get("DATABASE_URL") || undefined;

/** A migrated database: PostgreSQL when configured, else a fresh in-memory PGlite. */
export async function openTestDatabase(): Promise<DbPool> {
  const db = REAL_DATABASE_URL ? createPostgresDb(REAL_DATABASE_URL, { max: 4 }) : await createPgliteDb();
  await migrate(db, await loadMigrations());
  return db;
}

const hex = (bytes: ArrayBuffer) => [...new Uint8Array(bytes)].map((b) => b.toString(16).padStart(2, "0")).join("");

/** Stripe's documented scheme, on WebCrypto: `v1` = hex HMAC-SHA256 with the endpoint secret over `${t}.${body}`. */
export async function stripeV1(body: string | Uint8Array, timestamp: number, secret: string): Promise<string> {
  const key = await crypto.subtle.importKey("raw", new TextEncoder().encode(secret), { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
  const bodyBytes = typeof body === "string" ? new TextEncoder().encode(body) : body;
  const prefix = new TextEncoder().encode(`${timestamp}.`);
  const signed = new Uint8Array(prefix.length + bodyBytes.length);
  signed.set(prefix);
  signed.set(bodyBytes, prefix.length);
  return hex(await crypto.subtle.sign("HMAC", key, signed));
}

/** A `Stripe-Signature` header: `t=<seconds>,v1=<hex>`. */
export async function stripeSignature(body: string | Uint8Array, timestamp: number, secret: string): Promise<string> {
  return `t=${timestamp},v1=${await stripeV1(body, timestamp, secret)}`;
}

/** A Stripe event as the API delivers it, with text outside ASCII so the exact bytes matter. */
export function stripeEvent(type: string, object: Record<string, unknown>) {
  return {
    id: `evt_deno_${crypto.randomUUID().replaceAll("-", "").slice(0, 20)}`,
    object: "event",
    api_version: "2025-03-31.basil",
    created: Math.floor(Date.now() / 1000),
    data: { object },
    livemode: false,
    pending_webhooks: 1,
    request: { id: null, idempotency_key: null },
    type,
  };
}

export function paymentIntent(amount: number) {
  return {
    id: `pi_deno_${crypto.randomUUID().replaceAll("-", "").slice(0, 16)}`,
    object: "payment_intent",
    amount,
    amount_received: amount,
    currency: "usd",
    customer: "cus_deno_123",
    status: "succeeded",
    description: "Frais d'inscription — Zoë Ñúñez 学費 🎓",
    metadata: {},
    last_payment_error: null,
    livemode: false,
  };
}
