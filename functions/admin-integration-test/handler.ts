// admin-integration-test: POST /api/admin/integrations/{key}/test
// "Test Connection": an admin checks credentials against the provider before saving them (the body's
// credentials over the stored ones, never saved nor enabled here) or checks the stored ones (empty body).
// Answers {ok, details} or {ok: false, error} in plain words, never a secret; the outcome is kept on the
// integration and in audit_log.
import { adminHandler } from "../_shared/http/admin-handler.ts";
import { readJsonBody } from "../_shared/http/json-body.ts";
import { json, problem } from "../_shared/http/responses.ts";
import { validationProblem } from "../_shared/http/validation.ts";
import { INTEGRATION_KEYS, isIntegrationKey } from "../_shared/integrations/catalog.ts";
import { loadIntegration } from "../_shared/integrations/store.ts";
import type { ConnectionTester, ConnectionTestResult } from "../_shared/providers/connection-test.ts";
import { CONNECTION_TESTERS } from "../_shared/providers/connection-testers.ts";
import type { Handler } from "../_shared/context.ts";
import { recordConnectionTest } from "./record-test.ts";
import { redactSecrets } from "./redact.ts";
import { testInput } from "./test-input.ts";

type Testers = Partial<Record<string, () => Promise<ConnectionTester>>>;

/** The function over a registry of testers (tests pass their own; deployed: every provider's). */
export function createIntegrationTestHandler(testers: Testers = CONNECTION_TESTERS): Handler {
  return adminHandler("admin-integration-test", async (req, ctx, admin) => {
    const key = ctx.params.key;
    if (key === undefined || !isIntegrationKey(key)) {
      return problem({ status: 404, title: "Unknown integration", detail: `expected one of ${INTEGRATION_KEYS.join(", ")}` });
    }
    if (req.method !== "POST") return problem({ status: 405, title: "Method not allowed", headers: { allow: "POST" } });

    const body = await readJsonBody(req);
    const stored = await loadIntegration(ctx.db, ctx.vault, admin.tenantId, key);
    const input = testInput(key, body, { credentials: stored?.credentials ?? {}, settings: stored?.settings ?? {} });
    if (!input.ok) return validationProblem("Invalid connection test", input.errors);

    const loadTester = testers[key];
    if (!loadTester) {
      return problem({
        status: 501, title: "Not available yet", code: "ERR_NO_CONNECTION_TEST",
        detail: `Test Connection is not available for ${key} yet; save the credentials and watch the health page for its events`,
      });
    }

    let result: ConnectionTestResult;
    try {
      result = await (await loadTester())({ tenantId: admin.tenantId, credentials: input.credentials, settings: input.settings, ctx });
    } catch (error) {
      // The tester's own failure, not the provider's answer: logged by name only (a message may quote input).
      ctx.log.error("connection test failed unexpectedly", { integration: key, error: (error as Error | null)?.name ?? "unknown" });
      result = { ok: false, error: "the test could not be completed; try again, and check the logs if it keeps failing", code: "test_error" };
    }
    result = redactSecrets(result, input.credentials);

    const testedAt = new Date(ctx.now());
    await recordConnectionTest(ctx.db, {
      tenantId: admin.tenantId, actor: admin.userId, key, result, givenCredentials: input.givenCredentials, testedAt,
    });
    ctx.log.info("connection tested", { integration: key, ok: result.ok, code: result.ok ? undefined : result.code });
    return json({ ...result, testedAt: testedAt.toISOString() });
  });
}

export const handler = createIntegrationTestHandler();
