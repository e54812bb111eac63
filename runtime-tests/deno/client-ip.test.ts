// The client IP a function sees on Deno, through a real Deno.serve: by default the rightmost x-forwarded-for
// entry (what Supabase's edge gateway appended), never the caller's leftmost one; with TRUST_PROXY_HOPS=0 the
// peer Deno.serve reports in `info.remoteAddr`.
import assert from "node:assert/strict";
import type { Handler } from "../../functions/_shared/context.ts";
import type { Db } from "../../functions/_shared/db/port.ts";
import type { FunctionDefinition } from "../../functions/manifest.ts";
import { createDenoFetch } from "../../functions/runtimes/deno/serve.ts";
import { TEST_ENCRYPTION_KEY, TEST_JWT_SECRET } from "./support.ts";

const PROBE: FunctionDefinition = {
  slug: "ip-probe", routes: [{ method: "GET", path: "/api/ip-probe" }], auth: "signature", secrets: [], timeoutSeconds: 5,
};
const probe: Handler = async (_req, ctx) => Response.json({ clientIp: ctx.clientIp ?? null });
const UNUSED_DB = {} as Db; // the probe never queries

async function clientIpSeen(env: Record<string, string>, forwardedFor?: string): Promise<unknown> {
  const handler = createDenoFetch(PROBE, probe, { env: { ENCRYPTION_KEY: TEST_ENCRYPTION_KEY, SUPABASE_JWT_SECRET: TEST_JWT_SECRET, ...env }, openDb: () => UNUSED_DB });
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, handler);
  try {
    const res = await fetch(`http://127.0.0.1:${server.addr.port}/ip-probe`, forwardedFor ? { headers: { "x-forwarded-for": forwardedFor } } : {});
    return ((await res.json()) as { clientIp: unknown }).clientIp;
  } finally {
    await server.shutdown();
  }
}

Deno.test("Deno: the rightmost x-forwarded-for entry by default, never the caller's leftmost one", async () => {
  assert.equal(await clientIpSeen({}, "6.6.6.6, 203.0.113.7"), "203.0.113.7");
});

Deno.test("Deno: with TRUST_PROXY_HOPS=0, Deno.serve's remoteAddr, whatever x-forwarded-for says", async () => {
  assert.equal(await clientIpSeen({ TRUST_PROXY_HOPS: "0" }, "6.6.6.6"), "127.0.0.1");
});
