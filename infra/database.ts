// Postgres for a stage. `aurora`: Aurora Serverless v2 (PostgreSQL 16) in private subnets of its own VPC,
// reached only through RDS Proxy (TLS required), the master credentials generated into Secrets Manager.
// `external`: an existing Postgres — typically Supabase's pooler — whose URL an operator stored in Secrets
// Manager; nothing is created for it; `shared`: a database of its own in the preview cluster (infra/shared-database.ts).
// Either way the schema is migrated on deploy (infra/migrations.ts). The cluster itself is infra/aurora.ts.
import type { Stack } from "aws-cdk-lib";
import { Secret } from "aws-cdk-lib/aws-secretsmanager";
import type { StackContext } from "sst/constructs";
import { auroraDatabase } from "./aurora.ts";
import { useStageConfig } from "./config.ts";
import type { DatabaseAccess } from "./database-access.ts";
import { addMigrations } from "./migrations.ts";
import { addStageDatabaseLifecycle, sharedDatabaseAccess } from "./shared-database.ts";

function externalDatabase(stack: Stack, urlSecret: string): DatabaseAccess {
  const secret = urlSecret.startsWith("arn:")
    ? Secret.fromSecretCompleteArn(stack, "DatabaseUrlSecret", urlSecret)
    : Secret.fromSecretNameV2(stack, "DatabaseUrlSecret", urlSecret);
  return { secret, secretId: urlSecret, environment: {}, network: undefined };
}

/** The Database stack: the database (or a reference to one) and the deploy-time migrations. */
export function Database({ stack, app }: StackContext): { database: DatabaseAccess } {
  const config = useStageConfig(app);
  const { access, ready } =
    config.database.kind === "aurora"
      ? auroraDatabase(stack, config)
      : config.database.kind === "shared"
        ? { access: sharedDatabaseAccess(stack, config), ready: [] }
        : { access: externalDatabase(stack, config.database.urlSecret), ready: [] };
  const { fn: migrate } = addMigrations(stack, { config, database: access, executeAfter: ready });
  if (config.database.kind === "shared") addStageDatabaseLifecycle(stack, config, access, migrate);
  stack.addOutputs({ DatabaseKind: config.database.kind });
  return { database: access };
}
