// functions/stripe-webhook/deno.ts itself, run as Supabase runs it: a Deno process whose Deno.serve answers
// HTTP, configured only through its environment. DENO_SERVE_ADDRESS puts it on a free loopback port.
import assert from "node:assert/strict";
import { createServices } from "../../functions/_shared/context.ts";
import { loadConfig } from "../../functions/_shared/config.ts";
import { createLogger } from "../../functions/_shared/http/logger.ts";
import { createStripeTenant } from "../../tests/support/tenants.ts";
import { openTestDatabase, paymentIntent, REAL_DATABASE_URL, stripeEvent, stripeSignature, TEST_ENCRYPTION_KEY } from "./support.ts";

const ENTRY = new URL("../../functions/stripe-webhook/deno.ts", import.meta.url).pathname;

interface RunningEntry {
  url: string;
  output: () => string;
  stop: () => Promise<void>;
}

/** Starts the entry with exactly `env` (plus what Deno itself needs) and waits for it to listen. */
async function startEntry(env: Record<string, string>): Promise<RunningEntry> {
  const passThrough = ["HOME", "DENO_DIR", "NPM_CONFIG_REGISTRY", "PATH"].flatMap((name) => {
    const value = Deno.env.get(name);
    return value === undefined ? [] : [[name, value] as const];
  });
  const child = new Deno.Command(Deno.execPath(), {
    // Resolved as this suite is (tests/deno-runtime.test.ts: from node_modules); the registry-only run of the
    // entries is tests/deno-clean-room.test.ts.
    args: ["run", "--node-modules-dir=manual", "--allow-env", "--allow-net", "--allow-read", ENTRY],
    env: { ...Object.fromEntries(passThrough), DENO_NO_UPDATE_CHECK: "1", DENO_SERVE_ADDRESS: "tcp:127.0.0.1:0", ...env },
    clearEnv: true,
    stdout: "piped",
    stderr: "piped",
  }).spawn();

  let output = "";
  let listening: (url: string) => void;
  const ready = new Promise<string>((resolve) => (listening = resolve));
  const collect = async (stream: ReadableStream<Uint8Array>) => {
    for await (const text of stream.pipeThrough(new TextDecoderStream())) {
      output += text;
      const match = /Listening on (http:\/\/\S+?)\/?\s/.exec(output);
      if (match) listening(match[1]!);
    }
  };
  const streams = Promise.all([collect(child.stdout), collect(child.stderr)]);
  const timeout = setTimeout(() => listening(""), 20_000);
  const url = await Promise.race([ready, child.status.then(() => "")]);
  clearTimeout(timeout);

  const stop = async () => {
    try {
      child.kill("SIGTERM");
    } catch {
      // Already exited.
    }
    await child.status;
    await streams;
  };
  if (!url) {
    await stop();
    throw new Error(`the entry did not start listening:\n${output}`);
  }
  return { url, output: () => output, stop };
}

Deno.test("functions/stripe-webhook/deno.ts: misconfigured, it answers 500 and logs the variable's name only", async () => {
  const badKey = "this-is-not-a-key-but-it-is-secret";
  const entry = await startEntry({ ENCRYPTION_KEY: badKey });
  try {
    const res = await fetch(`${entry.url}/stripe-webhook`, { method: "POST", body: "{}" });
    assert.equal(res.status, 500);
    await res.body?.cancel();
    assert.match(entry.output(), /"msg":"configuration error".*"variable":"ENCRYPTION_KEY"/);
    assert.ok(!entry.output().includes(badKey), "the key's value was printed");
  } finally {
    await entry.stop();
  }
});

Deno.test({
  name: "functions/stripe-webhook/deno.ts: with DATABASE_URL, a signed delivery at /stripe-webhook/<tenantId> is stored",
  ignore: !REAL_DATABASE_URL, // the deployed entry only speaks postgres.js; without a server the in-process suite covers PGlite
  async fn() {
    const db = await openTestDatabase();
    const entry = await startEntry({ ENCRYPTION_KEY: TEST_ENCRYPTION_KEY, DATABASE_URL: REAL_DATABASE_URL! });
    try {
      const services = createServices(await loadConfig({ ENCRYPTION_KEY: TEST_ENCRYPTION_KEY }, { requireJwtSecret: false }), db, {
        log: createLogger({}, () => {}),
      });
      const secret = `whsec_${crypto.randomUUID().replaceAll("-", "")}`;
      const tenantId = await createStripeTenant(services, secret);
      const event = stripeEvent("payment_intent.succeeded", paymentIntent(7_500));
      const body = JSON.stringify(event);

      const res = await fetch(`${entry.url}/stripe-webhook/${tenantId}`, {
        method: "POST",
        headers: { "content-type": "application/json", "stripe-signature": await stripeSignature(body, Math.floor(Date.now() / 1000), secret) },
        body,
      });
      assert.equal(res.status, 200, entry.output());
      assert.deepEqual(await res.json(), { received: 1, duplicates: 0, failed: 0 });
      const stored = await db.query<{ status: string }>("select status from webhook_events where tenant_id = $1 and external_id = $2", [tenantId, event.id]);
      assert.deepEqual(stored.map((row) => row.status), ["processed"]);
    } finally {
      await entry.stop();
      await db.close();
    }
  },
});
