// A branch stage's own database inside the shared preview cluster (infra/shared-database.ts). The migrate
// function creates it before migrating (ensureStageDatabase); a custom resource of the stage's Database stack
// drops it when the stage is removed (`handler` below, invoked by CloudFormation on Delete). Both connect to
// the cluster's maintenance database, since a database cannot be created or dropped from inside itself.
import type { Db, DbPool } from "../../functions/_shared/db/port.ts";
import { createPostgresDb } from "../../functions/_shared/db/postgres.ts";

/** Every stage database is `ips_<stage>`: the prefix keeps the drop away from anything else on the cluster. */
const STAGE_DATABASE = /^ips_[a-z0-9_]{1,59}$/;
/** Present on every PostgreSQL server (Aurora's too); never a stage's database. */
export const MAINTENANCE_DATABASE = "postgres";

/**
 * The database of a stage in the shared cluster: `ips_` and the stage, dashes as underscores.
 * @example stageDatabaseName("feature-refunds") // "ips_feature_refunds"
 */
export function stageDatabaseName(stage: string): string {
  const name = `ips_${stage.replace(/-/g, "_")}`;
  if (!STAGE_DATABASE.test(name)) throw new Error(`stage "${stage}" cannot name a database (lower-case letters, digits and '-', at most 59)`);
  return name;
}

function checked(name: string): string {
  if (!STAGE_DATABASE.test(name)) throw new Error(`"${name}" is not a stage database (ips_<stage>)`);
  return name;
}

/** The same server, user and options as `url`, on the maintenance database; and the database `url` names. */
export function splitDatabaseUrl(url: string): { maintenanceUrl: string; database: string } {
  const parsed = new URL(url);
  const database = decodeURIComponent(parsed.pathname.replace(/^\//, ""));
  parsed.pathname = `/${MAINTENANCE_DATABASE}`;
  return { maintenanceUrl: parsed.toString(), database };
}

/** `create database` unless it exists; true when this call created it. Safe when two deploys race. */
export async function ensureDatabase(admin: Db, name: string): Promise<boolean> {
  checked(name);
  const found = await admin.query("select 1 from pg_database where datname = $1", [name]);
  if (found.length > 0) return false;
  try {
    await admin.execScript(`create database "${name}"`);
    return true;
  } catch (error) {
    // Another deploy of the same stage created it between the check and here: 42P04 duplicate_database, or
    // 23505 on pg_database's unique index when both CREATEs ran at once (seen on PostgreSQL 15).
    const code = (error as { code?: string }).code;
    if (code === "42P04" || code === "23505") return false;
    throw error;
  }
}

/** `drop database … with (force)` (closes the stage's idle pooled connections); true when it existed. */
export async function dropDatabase(admin: Db, name: string): Promise<boolean> {
  checked(name);
  const found = await admin.query("select 1 from pg_database where datname = $1", [name]);
  if (found.length === 0) return false;
  await admin.execScript(`drop database if exists "${name}" with (force)`);
  return true;
}

type OpenDb = (url: string) => DbPool;
const openAdmin: OpenDb = (url) => createPostgresDb(url, { max: 1 });

/** Creates the database `databaseUrl` names when it is absent (the migrate function, in shared mode). */
export async function ensureStageDatabase(databaseUrl: string, open: OpenDb = openAdmin): Promise<boolean> {
  const { maintenanceUrl, database } = splitDatabaseUrl(databaseUrl);
  const admin = open(maintenanceUrl);
  try {
    return await ensureDatabase(admin, database);
  } finally {
    await admin.close().catch(() => {});
  }
}

/** The part of a CloudFormation custom-resource request this handler reads. */
export interface StageDatabaseEvent {
  RequestType: "Create" | "Update" | "Delete";
  ResponseURL: string;
  StackId: string;
  RequestId: string;
  LogicalResourceId: string;
  PhysicalResourceId?: string;
  ResourceProperties: { DatabaseName?: string };
}

/**
 * What CloudFormation asks of the `Custom::StageDatabase` resource. Create and Update only name the database
 * (the migrate function creates it); Delete — the stage being removed, or the name changing — drops it.
 */
export async function onStageDatabaseEvent(event: StageDatabaseEvent, databaseUrl: string, open: OpenDb = openAdmin): Promise<string> {
  if (event.RequestType !== "Delete") return checked(event.ResourceProperties.DatabaseName ?? "");
  const name = event.PhysicalResourceId ?? "";
  // Not a stage database: the rollback of a Create that failed (its answer named the logical id). Nothing was
  // made, so nothing is dropped — and answering SUCCESS lets the rollback finish instead of ROLLBACK_FAILED.
  if (!STAGE_DATABASE.test(name)) return name;
  const admin = open(splitDatabaseUrl(databaseUrl).maintenanceUrl);
  try {
    const dropped = await dropDatabase(admin, name);
    console.log(JSON.stringify({ level: "info", msg: dropped ? "stage database dropped" : "stage database already absent", database: name }));
  } finally {
    await admin.close().catch(() => {});
  }
  return name;
}

/**
 * Answers CloudFormation at the pre-signed ResponseURL — always, or the stack would wait an hour for it.
 * The reason carries the error's message only: postgres errors name objects, never the connection string.
 */
export async function respond(event: StageDatabaseEvent, outcome: { physicalId: string } | { error: Error }, fetcher: typeof fetch = fetch): Promise<void> {
  const body = JSON.stringify({
    Status: "error" in outcome ? "FAILED" : "SUCCESS",
    Reason: "error" in outcome ? `${outcome.error.name}: ${outcome.error.message}`.slice(0, 500) : "ok",
    PhysicalResourceId: "error" in outcome ? event.PhysicalResourceId ?? event.LogicalResourceId : outcome.physicalId,
    StackId: event.StackId,
    RequestId: event.RequestId,
    LogicalResourceId: event.LogicalResourceId,
  });
  const response = await fetcher(event.ResponseURL, { method: "PUT", body, headers: { "content-type": "" } });
  if (!response.ok) throw new Error(`CloudFormation refused the response: HTTP ${response.status}`);
}

/** The Lambda handler behind `Custom::StageDatabase`; DATABASE_URL arrives through the secrets preload. */
export async function handler(event: StageDatabaseEvent): Promise<void> {
  try {
    const url = process.env.DATABASE_URL;
    if (!url) throw new Error("DATABASE_URL is not set");
    await respond(event, { physicalId: await onStageDatabaseEvent(event, url) });
  } catch (error) {
    console.log(JSON.stringify({ level: "error", msg: "stage database request failed", requestType: event.RequestType, error: (error as Error).message }));
    await respond(event, { error: error as Error });
  }
}
