// npm run dev — every manifest function on one local server, on PostgreSQL (DATABASE_URL) or embedded PGlite.
import { serve } from "@hono/node-server";
import { SignJWT } from "jose";
import { mkdir } from "node:fs/promises";
import { loadConfig, ConfigError } from "../../_shared/config.ts";
import { createServices } from "../../_shared/context.ts";
import { utf8Bytes } from "../../_shared/crypto/encoding.ts";
import type { DbPool } from "../../_shared/db/port.ts";
import { FUNCTIONS } from "../../manifest.ts";
import { createApp } from "./app.ts";
import { openDatabase } from "./database.ts";
import { withDevDefaults } from "./dev-env.ts";

const DATA_DIR = process.env.DATA_DIR ?? ".data";
const LOCAL_TENANT_NAME = "Local School";

async function ensureLocalTenant(db: DbPool): Promise<string> {
  const [existing] = await db.query<{ id: string }>("select id from tenants where name = $1 order by created_at limit 1", [LOCAL_TENANT_NAME]);
  if (existing) return existing.id;
  const [created] = await db.query<{ id: string }>("insert into tenants (name) values ($1) returning id", [LOCAL_TENANT_NAME]);
  return created!.id;
}

async function main() {
  const { env, generated } = await withDevDefaults(process.env, DATA_DIR);
  const config = await loadConfig(env);
  const port = Number(process.env.PORT ?? 3000);
  if (!process.env.APP_URL) config.appUrl = `http://localhost:${port}`;

  await mkdir(DATA_DIR, { recursive: true });
  const db = await openDatabase({ databaseUrl: config.databaseUrl, pgliteDir: `${DATA_DIR}/pglite` });
  const services = createServices(config, db);
  const tenantId = await ensureLocalTenant(db);
  const app = await createApp(services, FUNCTIONS);

  const adminToken = await new SignJWT({ app_metadata: { tenant_id: tenantId, role: "admin" }, role: "authenticated" })
    .setProtectedHeader({ alg: "HS256" })
    .setSubject("local-admin")
    .setIssuedAt()
    .setExpirationTime("7d")
    .sign(utf8Bytes(config.supabaseJwtSecret!)); // set: loadConfig requires it by default

  const server = serve({ fetch: app.fetch, port }, () => {
    const lines = [
      `IPS Integrations dev server on ${config.appUrl}`,
      `database: ${config.databaseUrl ? "PostgreSQL (DATABASE_URL)" : `embedded PGlite in ${DATA_DIR}/pglite`}`,
      ...(generated.length ? [`generated for dev and kept in ${DATA_DIR}/dev-secrets.json: ${generated.join(", ")}`] : []),
      `local tenant: ${tenantId} (${LOCAL_TENANT_NAME})`,
      "",
      "routes:",
      ...FUNCTIONS.flatMap((fn) => fn.routes.map((r) => `  ${r.method.padEnd(6)} ${r.path.padEnd(42)} ${fn.slug} (${fn.auth})`)),
      "",
      "admin token for the local tenant (valid 7 days):",
      `  ${adminToken}`,
      `try: curl -H "Authorization: Bearer $TOKEN" ${config.appUrl}/api/admin/integrations`,
    ];
    console.log(lines.join("\n"));
  });

  let stopping = false;
  const stop = () => {
    if (stopping) return;
    stopping = true;
    console.log("\nstopping…");
    server.close(() => void db.close().finally(() => process.exit(0)));
    setTimeout(() => process.exit(0), 3_000).unref();
  };
  process.on("SIGINT", stop);
  process.on("SIGTERM", stop);
}

main().catch((error: unknown) => {
  console.error(error instanceof ConfigError ? `configuration error: ${error.message}` : error);
  process.exit(1);
});
