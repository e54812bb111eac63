// npm run dev — every manifest function and the pages on one local server, on PostgreSQL (DATABASE_URL) or
// embedded PGlite, with the development sign-in for the config page.
import { ConfigError } from "../../_shared/config.ts";
import { FUNCTIONS } from "../../manifest.ts";
import { LOCAL_TENANT_NAME, startDevServer } from "./dev-server.ts";

const DATA_DIR = process.env.DATA_DIR ?? ".data";

async function main() {
  const dev = await startDevServer({ env: process.env, dataDir: DATA_DIR, port: Number(process.env.PORT ?? 3000) });
  const { config } = dev.services;
  const lines = [
    `IPS Integrations dev server on ${dev.url} (listening on ${dev.host}:${dev.port}; HOST changes the address)`,
    `database: ${config.databaseUrl ? "PostgreSQL (DATABASE_URL)" : `embedded PGlite in ${DATA_DIR}/pglite`}`,
    ...(dev.generatedSecrets.length ? [`generated for dev and kept in ${DATA_DIR}/dev-secrets.json: ${dev.generatedSecrets.join(", ")}`] : []),
    `local tenant: ${dev.tenantId} (${LOCAL_TENANT_NAME})`,
    `config page: ${dev.url}/admin/config/integrations (sign in as the local admin there)`,
    "",
    "routes:",
    ...FUNCTIONS.flatMap((fn) => fn.routes.map((r) => `  ${r.method.padEnd(6)} ${r.path.padEnd(42)} ${fn.slug} (${fn.auth})`)),
    "",
    "admin token for the local tenant (valid 7 days):",
    `  ${dev.adminToken}`,
    `try: curl -H "Authorization: Bearer $TOKEN" ${dev.url}/api/admin/integrations`,
    "",
    "service_role key (valid 7 days) — jobs are not scheduled in dev; run one with:",
    `  curl -X POST -H "Authorization: Bearer ${dev.serviceRoleToken}" ${dev.url}/api/jobs/email-sender`,
  ];
  console.log(lines.join("\n"));

  let stopping = false;
  const stop = () => {
    if (stopping) return;
    stopping = true;
    console.log("\nstopping…");
    void dev.stop().finally(() => process.exit(0));
    setTimeout(() => process.exit(0), 3_000).unref();
  };
  process.on("SIGINT", stop);
  process.on("SIGTERM", stop);
}

main().catch((error: unknown) => {
  console.error(error instanceof ConfigError ? `configuration error: ${error.message}` : error);
  process.exit(1);
});
