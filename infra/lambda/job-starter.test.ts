// The starter in front of a long job's route: it answers within API Gateway's 30 s — 202 once the job is
// started with the event its schedule sends, a problem document otherwise — and checks the service_role key
// exactly as the job itself would over HTTP.
import { describe, expect, it } from "vitest";
import { createLambdaHandler } from "../../functions/runtimes/lambda/handler.ts";
import type { FunctionDefinition } from "../../functions/manifest.ts";
import { httpApiEvent } from "../../tests/support/lambda-events.ts";
import { serviceRoleToken } from "../../tests/support/service-role.ts";
import { TEST_ENCRYPTION_KEY, TEST_JWT_SECRET, captureLogs } from "../../tests/support/services.ts";
import { signToken } from "../../tests/support/tokens.ts";
import { createJobStarter, type InvokeAsync } from "./job-starter.ts";

const ENV = { JOB_SLUG: "webhook-retry", JOB_FUNCTION_NAME: "production-ips-Admin-WebhookRetry-AbC123", SUPABASE_JWT_SECRET: TEST_JWT_SECRET, AWS_REGION: "eu-west-1" };

function starter(invokeAsync?: InvokeAsync) {
  const calls: { functionName: string; payload: string }[] = [];
  const logs = captureLogs();
  const handler = createJobStarter({
    env: ENV,
    invokeAsync: invokeAsync ?? (async (functionName, payload) => void calls.push({ functionName, payload })),
    log: logs.logger,
    now: () => new Date("2026-12-02T05:00:00Z"),
  });
  return { handler, calls, logs };
}

const jobEvent = (authorization?: string) => httpApiEvent({
  method: "POST", path: "/api/jobs/webhook-retry", routeKey: "POST /api/jobs/webhook-retry",
  headers: authorization ? { authorization } : {},
});

describe("job starter", () => {
  it("starts the job asynchronously with a scheduled event and answers 202 at once", async () => {
    const { handler, calls } = starter();
    const result = await handler(jobEvent(`Bearer ${await serviceRoleToken()}`));
    expect(result.statusCode).toBe(202);
    const body = JSON.parse(result.body!) as { accepted: boolean; job: string; runId: string };
    expect(body).toMatchObject({ accepted: true, job: "webhook-retry" });
    expect(calls).toHaveLength(1);
    expect(calls[0]!.functionName).toBe(ENV.JOB_FUNCTION_NAME);
    const payload = JSON.parse(calls[0]!.payload) as Record<string, unknown>;
    expect(payload).toMatchObject({
      "detail-type": "Scheduled Event", source: "aws.events", id: body.runId, time: "2026-12-02T05:00:00.000Z", region: "eu-west-1",
      detail: { startedBy: "http", requestId: "Nf2bKhCsjoEEMbQ=" },
    });
    // Nothing of the caller's token travels on.
    expect(calls[0]!.payload).not.toContain("Bearer");
  });

  it("refuses a request without a key (401) or with a user's token (403), starting nothing", async () => {
    const { handler, calls } = starter();
    const missing = await handler(jobEvent());
    expect(missing.statusCode).toBe(401);
    expect(JSON.parse(missing.body!)).toMatchObject({ status: 401, code: "ERR_AUTH_MISSING" });
    const expired = await handler(jobEvent(`Bearer ${await serviceRoleToken(TEST_JWT_SECRET, { expiresIn: -60 })}`));
    expect(expired.statusCode).toBe(401);
    const wrongSecret = await handler(jobEvent(`Bearer ${await serviceRoleToken("another-secret-that-is-at-least-32-characters")}`));
    expect(wrongSecret.statusCode).toBe(401);
    const user = await handler(jobEvent(`Bearer ${await signToken({ tenantId: crypto.randomUUID(), role: "admin" })}`));
    expect(user.statusCode).toBe(403);
    expect(calls).toEqual([]);
  });

  it("answers 503 with Retry-After when Lambda will not take the invocation, naming only the error kind in its log", async () => {
    const throttled = Object.assign(new Error("Rate exceeded for function arn:aws:lambda:…"), { name: "TooManyRequestsException" });
    const { handler, logs } = starter(async () => { throw throttled; });
    const result = await handler(jobEvent(`Bearer ${await serviceRoleToken()}`));
    expect(result.statusCode).toBe(503);
    expect(result.headers).toMatchObject({ "retry-after": "30" });
    expect(logs.lines.join("\n")).toContain('"error":"TooManyRequestsException"');
    expect(logs.lines.join("\n")).not.toContain("Rate exceeded");
  });

  it("hands the job an event its Lambda runs as a scheduled run (trigger: schedule), no key needed", async () => {
    const { handler, calls } = starter();
    await handler(jobEvent(`Bearer ${await serviceRoleToken()}`));
    const definition: FunctionDefinition = { slug: "webhook-retry", routes: [{ method: "POST", path: "/api/jobs/webhook-retry" }], auth: "service_role", secrets: [], timeoutSeconds: 60, schedule: "rate(1 minute)" };
    const seen: string[] = [];
    const job = createLambdaHandler(definition, async (_req, ctx) => {
      seen.push(`${ctx.trigger} ${ctx.requestId}`);
      return new Response("{}", { headers: { "content-type": "application/json" } });
    }, { env: { ENCRYPTION_KEY: TEST_ENCRYPTION_KEY, SUPABASE_JWT_SECRET: TEST_JWT_SECRET, APP_URL: "https://x.example", DATABASE_URL: "postgres://ips@127.0.0.1:9/ips" } });
    const payload = JSON.parse(calls[0]!.payload) as { id: string };
    expect((await job(payload as never)).statusCode).toBe(200);
    expect(seen).toEqual([`schedule ${payload.id}`]);
  });
});
