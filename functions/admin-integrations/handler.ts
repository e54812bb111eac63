// admin-integrations: GET /api/admin/integrations, GET|PUT /api/admin/integrations/{key}
// An admin reads and saves its own tenant's integrations. Credentials are sealed per tenant and key,
// never returned (masked to their last 4 characters at most), and every save is audited by field name.
import { writeAudit } from "../_shared/audit.ts";
import { adminHandler } from "../_shared/http/admin-handler.ts";
import { readJsonBody } from "../_shared/http/json-body.ts";
import { json, problem } from "../_shared/http/responses.ts";
import { INTEGRATION_KEYS, isIntegrationKey } from "../_shared/integrations/catalog.ts";
import { loadIntegration, loadIntegrations, saveIntegration } from "../_shared/integrations/store.ts";
import { applyUpdate } from "./update.ts";
import { integrationView } from "./view.ts";

export const handler = adminHandler("admin-integrations", async (req, ctx, admin) => {
  const { tenantId } = admin;
  const key = ctx.params.key;

  if (key === undefined) {
    if (req.method !== "GET") return problem({ status: 405, title: "Method not allowed", headers: { allow: "GET" } });
    const stored = new Map((await loadIntegrations(ctx.db, ctx.vault, tenantId)).map((i) => [i.key, i]));
    return json({ integrations: INTEGRATION_KEYS.map((k) => integrationView(k, tenantId, ctx.config.appUrl, stored.get(k))) });
  }
  if (!isIntegrationKey(key)) {
    return problem({ status: 404, title: "Unknown integration", detail: `expected one of ${INTEGRATION_KEYS.join(", ")}` });
  }

  if (req.method === "GET") {
    return json(integrationView(key, tenantId, ctx.config.appUrl, await loadIntegration(ctx.db, ctx.vault, tenantId, key)));
  }
  if (req.method !== "PUT") return problem({ status: 405, title: "Method not allowed", headers: { allow: "GET, PUT" } });

  const body = await readJsonBody(req);
  const saved = await ctx.db.transaction(async (tx) => {
    // Row lock so two admins saving at once cannot lose one another's fields.
    await tx.query("select 1 from integrations where tenant_id = $1 and integration_key = $2 for update", [tenantId, key]);
    const stored = await loadIntegration(tx, ctx.vault, tenantId, key);
    const result = applyUpdate(key, body, {
      enabled: stored?.enabled ?? false, credentials: stored?.credentials ?? {}, settings: stored?.settings ?? {},
    });
    if (!result.ok) return result;
    await saveIntegration(tx, ctx.vault, { tenantId, key, ...result.next });
    await writeAudit(tx, { tenantId, actor: admin.userId, action: "integration.updated", target: key, details: result.changed });
    return result;
  });
  if (!saved.ok) return problem({ status: 400, title: "Invalid integration configuration", errors: saved.errors });

  ctx.integrationCache.invalidate(tenantId, key);
  ctx.log.info("integration saved", { integration: key });
  const view = integrationView(key, tenantId, ctx.config.appUrl, await loadIntegration(ctx.db, ctx.vault, tenantId, key));
  return json({ ...view, warnings: saved.warnings });
});
