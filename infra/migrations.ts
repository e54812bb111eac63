// Schema migrations at deploy: a migrate Lambda whose bundle carries supabase/migrations/*.sql, run by a CDK
// Trigger after the database is up. The Trigger fires when the stage is created and whenever the function
// changes — and a new or edited migration changes its bundle — so every deploy that brings a migration
// applies it before the deploy completes; a failed migration fails (and rolls back) the deploy. The runner
// records what it applied in Supabase's ledger (`supabase_migrations.schema_migrations`, the one `supabase db
// push` keeps), so a re-run — or a database migrated by either — is a no-op.
import { Duration, Tags } from "aws-cdk-lib";
import * as ec2 from "aws-cdk-lib/aws-ec2";
import { Architecture } from "aws-cdk-lib/aws-lambda";
import { NodejsFunction } from "aws-cdk-lib/aws-lambda-nodejs";
import { LogGroup } from "aws-cdk-lib/aws-logs";
import { Trigger } from "aws-cdk-lib/triggers";
import type { Construct } from "constructs";
import { join } from "node:path";
import { lambdaBundling } from "./bundling.ts";
import { removalPolicy, type StageConfig } from "./config.ts";
import type { DatabaseAccess } from "./database-access.ts";
import { FUNCTION_TAG, LAMBDA_RUNTIME } from "./lambda-runtime.ts";
import { REPO_ROOT } from "./paths.ts";

export const MIGRATIONS_DIR = join(REPO_ROOT, "supabase", "migrations");
export const MIGRATE_FUNCTION = "migrate";

export function addMigrations(
  scope: Construct,
  options: { config: StageConfig; database: DatabaseAccess; executeAfter: Construct[] },
): { fn: NodejsFunction; trigger: Trigger } {
  const { config, database } = options;
  const fn = new NodejsFunction(scope, "Migrate", {
    entry: join(REPO_ROOT, "infra", "lambda", "migrate.ts"),
    handler: "handler",
    runtime: LAMBDA_RUNTIME,
    architecture: Architecture.ARM_64,
    memorySize: 512,
    timeout: Duration.minutes(5),
    description: `IPS schema migrations (${config.stage})`,
    projectRoot: REPO_ROOT,
    depsLockFilePath: join(REPO_ROOT, "package-lock.json"),
    bundling: lambdaBundling({
      commandHooks: {
        beforeBundling: () => [],
        beforeInstall: () => [],
        afterBundling: (_inputDir, outputDir) => [
          `mkdir -p "${outputDir}/migrations"`,
          `cp "${MIGRATIONS_DIR}"/*.sql "${outputDir}/migrations/"`,
        ],
      },
    }),
    environment: { DATABASE_URL_SECRET_ID: database.secretId, ...database.environment },
    logGroup: new LogGroup(scope, "MigrateLogs", { retention: config.logRetention, removalPolicy: removalPolicy(config) }),
    ...(database.network && {
      vpc: database.network.vpc,
      vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS },
      securityGroups: [database.network.securityGroup],
    }),
  });
  Tags.of(fn).add(FUNCTION_TAG, MIGRATE_FUNCTION);
  database.secret.grantRead(fn);
  const trigger = new Trigger(scope, "MigrateOnDeploy", {
    handler: fn,
    executeAfter: options.executeAfter,
    executeOnHandlerChange: true,
    timeout: Duration.minutes(6),
  });
  return { fn, trigger };
}
