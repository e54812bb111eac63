// A first deploy's cold start, offline: real manifest functions bundled exactly as the stacks bundle them,
// with exactly the environment the stacks give them (functionEnvironment, for a stage whose DATABASE_URL is
// an operator's secret), each run in a fresh Node process whose AWS SDK talks to a stand-in Secrets Manager
// that answers as AWS does. The operator created the required secrets but not ENCRYPTION_KEYS_OLD, which
// is only needed while ENCRYPTION_KEY rotates: AWS answers AccessDeniedException for it (our grants name
// `<name>-??????`), and the functions must start anyway.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { functionDefinition } from "../../functions/manifest.ts";
import { createPostgresDb } from "../../functions/_shared/db/postgres.ts";
import { REAL_DATABASE_URL } from "../../tests/support/database.ts";
import { httpApiEvent } from "../../tests/support/lambda-events.ts";
import { TEST_ENCRYPTION_KEY, TEST_JWT_SECRET, testServices } from "../../tests/support/services.ts";
import { paymentIntent, stripeEvent, stripeSignature, WEBHOOK_SECRET } from "../../tests/support/stripe.ts";
import { createStripeTenant } from "../../tests/support/tenants.ts";
import { stageConfig } from "../config.ts";
import { functionEnvironment } from "../lambda-function.ts";
import { lambdaEntry } from "../paths.ts";
import { APP_SECRETS, secretName, type AppSecretName } from "../secrets.ts";
import { bundleDir, bundleLambda, removeBundleDir, runLambdaBundle } from "./bundle-runner.ts";
import { startSecretsManagerStandIn, type SecretsManagerStandIn } from "./secrets-manager-stand-in.ts";

const URL_SECRET = "ips/preview/DATABASE_URL";
const config = stageConfig("feature-x", { IPS_DATABASE_URL_SECRET: URL_SECRET });
const secretIds = Object.fromEntries(APP_SECRETS.map((name) => [name, secretName(config, name)])) as Record<AppSecretName, string>;
// Without a real PostgreSQL, a URL nothing listens on: postgres.js connects on first query, and the requests
// below that need no database prove INIT and routing; with one, a signed event is stored in it.
const databaseUrl = REAL_DATABASE_URL ?? "postgres://ips@127.0.0.1:9/ips";
const CREATED = {
  [secretIds.ENCRYPTION_KEY]: TEST_ENCRYPTION_KEY,
  [secretIds.SUPABASE_JWT_SECRET]: TEST_JWT_SECRET,
  [URL_SECRET]: databaseUrl,
};

/** The variables the stacks set on the slug's Lambda, plus where its SDK finds Secrets Manager. */
function lambdaEnv(slug: string, sm: SecretsManagerStandIn): Record<string, string> {
  const deps = { config, database: { secret: undefined as never, secretId: URL_SECRET, environment: {}, network: undefined }, appUrl: "https://r4nd0m1d.execute-api.eu-west-1.amazonaws.com" };
  return { ...functionEnvironment(functionDefinition(slug), deps, secretIds), AWS_ENDPOINT_URL_SECRETS_MANAGER: sm.endpoint };
}

const bundles: Record<string, string> = {};
let dir: string;
let sm: SecretsManagerStandIn;

beforeAll(async () => {
  dir = bundleDir("cold-start");
  for (const slug of ["stripe-webhook", "admin-health"]) bundles[slug] = await bundleLambda(lambdaEntry(slug), dir, slug);
  sm = await startSecretsManagerStandIn({ secrets: CREATED });
}, 120_000);

afterAll(async () => {
  await sm?.close();
  removeBundleDir(dir);
});

describe("first deploy cold start against Secrets Manager as AWS answers", () => {
  it("the stacks mark ENCRYPTION_KEYS_OLD optional on every function that reads it", () => {
    const env = lambdaEnv("stripe-webhook", sm);
    expect(env.ENCRYPTION_KEYS_OLD_SECRET_ID).toBe("ips/preview/ENCRYPTION_KEYS_OLD");
    expect(env.OPTIONAL_SECRETS).toBe("ENCRYPTION_KEYS_OLD");
  });

  it("starts with the optional secret never created (AccessDeniedException) and answers a request", async () => {
    const event = httpApiEvent({ method: "GET", path: "/api/admin/health", routeKey: "GET /api/admin/health" });
    const run = await runLambdaBundle(bundles["admin-health"]!, lambdaEnv("admin-health", sm), [event]);
    expect(run.stderr).not.toContain("INIT FAILED");
    expect(run.initOk).toBe(true);
    expect(sm.requests).toContain("secretsmanager.GetSecretValue ips/preview/ENCRYPTION_KEYS_OLD");
    expect(sm.malformed).toEqual([]);
    // No bearer token: the function's own answer, a problem document.
    const result = run.results[0] as { statusCode: number; body: string };
    expect(result.statusCode).toBe(401);
    expect(JSON.parse(result.body)).toMatchObject({ status: 401 });
    expect(run.stdout + run.stderr).not.toContain(TEST_JWT_SECRET);
    expect(run.stdout + run.stderr).not.toContain(TEST_ENCRYPTION_KEY);
  });

  it("fails INIT with one clear line when a required secret was never created", async () => {
    const bare = await startSecretsManagerStandIn({ secrets: { [URL_SECRET]: databaseUrl, [secretIds.SUPABASE_JWT_SECRET]: TEST_JWT_SECRET } });
    try {
      const run = await runLambdaBundle(bundles["stripe-webhook"]!, lambdaEnv("stripe-webhook", bare), [{}]);
      expect(run.initOk).toBe(false);
      expect(run.code).not.toBe(0);
      const lines = run.stderr.split("\n").filter((l) => l.includes('"secrets not loaded"'));
      expect(lines).toHaveLength(1);
      expect(JSON.parse(lines[0]!)).toEqual({
        level: "error", msg: "secrets not loaded",
        error: 'ENCRYPTION_KEY: cannot read secret "ips/preview/ENCRYPTION_KEY" (AccessDeniedException) — it does not exist, or this function may not read it',
      });
    } finally {
      await bare.close();
    }
  });

  it.skipIf(!REAL_DATABASE_URL)("stores a signed Stripe event in PostgreSQL and answers 200", async () => {
    const db = createPostgresDb(REAL_DATABASE_URL!, { max: 2 });
    try {
      const tenantId = await createStripeTenant(await testServices(db), WEBHOOK_SECRET);
      const body = JSON.stringify(stripeEvent("payment_intent.succeeded", paymentIntent()));
      const path = `/api/webhooks/stripe/${tenantId}`;
      const event = httpApiEvent({
        method: "POST", path, routeKey: "POST /api/webhooks/stripe/{tenantId}", pathParameters: { tenantId }, body,
        headers: { "content-type": "application/json; charset=utf-8", "stripe-signature": stripeSignature(body) },
      });
      const run = await runLambdaBundle(bundles["stripe-webhook"]!, lambdaEnv("stripe-webhook", sm), [event]);
      expect(run.initOk, run.stderr).toBe(true);
      expect((run.results[0] as { statusCode: number }).statusCode).toBe(200);
      const rows = await db.query<{ source: string }>("select source from webhook_events where tenant_id = $1", [tenantId]);
      expect(rows).toEqual([{ source: "stripe" }]);
    } finally {
      await db.close();
    }
  });
});
