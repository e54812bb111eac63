// Postgres for a stage. `aurora`: Aurora Serverless v2 (PostgreSQL 16) in private subnets of its own VPC,
// reached only through RDS Proxy (TLS required), the master credentials generated into Secrets Manager.
// `external`: an existing Postgres — typically Supabase's pooler — whose URL an operator stored in Secrets
// Manager; nothing is created for it. Either way the schema is migrated on deploy (infra/migrations.ts).
import { Aws, Duration, Fn, Stack } from "aws-cdk-lib";
import * as ec2 from "aws-cdk-lib/aws-ec2";
import * as rds from "aws-cdk-lib/aws-rds";
import { Secret, type ISecret } from "aws-cdk-lib/aws-secretsmanager";
import type { Construct } from "constructs";
import type { StackContext } from "sst/constructs";
import { removalPolicy, useStageConfig, type StageConfig } from "./config.ts";
import { addMigrations } from "./migrations.ts";
import { addStageDatabaseLifecycle, sharedDatabaseAccess } from "./shared-database.ts";

export const DATABASE_NAME = "ips";
/** Availability zones of a database VPC (the shared preview cluster's parameters assume this many). */
export const AZ_COUNT = 2;

/** What a function needs to reach the database, whichever kind it is. */
export interface DatabaseAccess {
  /** Holds DATABASE_URL: RDS-generated credentials (JSON) or an external URL (string). */
  secret: ISecret;
  /** How a function asks Secrets Manager for it: a full ARN, or the name an operator gave it. */
  secretId: string;
  /** Plain variables completing the URL from generated credentials (the proxy host, the database name). */
  environment: Record<string, string>;
  /** Where a function must run to reach the proxy; undefined for an external database. */
  network: { vpc: ec2.IVpc; securityGroup: ec2.ISecurityGroup } | undefined;
}

/**
 * CloudFormation needs a proxy name, unique per account and region. A fixed one blocks a retry: a first deploy
 * that failed and left its proxy behind (or a stage removed while it was still deleting) makes the next
 * attempt collide with it. So the name carries the stack's id (a UUID CloudFormation gives each stack it
 * creates): stable for the stack's life, new for every retry. `<stage>-ips-<8 hex>` fits the 60-character limit.
 */
export function proxyName(stage: string): string {
  const stackUuid = Fn.select(2, Fn.split("/", Aws.STACK_ID));
  return Fn.join("-", [stage, "ips", Fn.select(0, Fn.split("-", stackUuid))]);
}

/** Aurora in a VPC of its own: production's cluster, and the shared preview cluster (infra/shared-database.ts). */
export function auroraDatabase(stack: Stack, config: StageConfig): { access: DatabaseAccess; ready: Construct[]; vpc: ec2.Vpc } {
  const removal = removalPolicy(config);
  const vpc = new ec2.Vpc(stack, "Vpc", {
    maxAzs: AZ_COUNT,
    // Functions call provider APIs (Stripe, DocuSign, Zoom, SendGrid) and Secrets Manager through NAT.
    natGateways: config.production ? 2 : 1,
    subnetConfiguration: [
      { name: "public", subnetType: ec2.SubnetType.PUBLIC, cidrMask: 24 },
      { name: "functions", subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS, cidrMask: 22 },
      { name: "database", subnetType: ec2.SubnetType.PRIVATE_ISOLATED, cidrMask: 24 },
    ],
  });
  const functions = new ec2.SecurityGroup(stack, "FunctionsSecurityGroup", {
    vpc,
    description: "IPS functions: may connect to the database proxy",
    allowAllOutbound: true,
  });
  const cluster = new rds.DatabaseCluster(stack, "Cluster", {
    engine: rds.DatabaseClusterEngine.auroraPostgres({ version: rds.AuroraPostgresEngineVersion.VER_16_6 }),
    credentials: rds.Credentials.fromGeneratedSecret("ips_admin"),
    defaultDatabaseName: DATABASE_NAME,
    writer: rds.ClusterInstance.serverlessV2("Writer"),
    readers: config.production ? [rds.ClusterInstance.serverlessV2("Reader", { scaleWithWriter: true })] : [],
    serverlessV2MinCapacity: 0.5,
    serverlessV2MaxCapacity: config.production ? 16 : 2,
    vpc,
    vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_ISOLATED },
    storageEncrypted: true,
    deletionProtection: config.production,
    backup: { retention: Duration.days(config.production ? 14 : 1) },
    removalPolicy: removal,
  });
  cluster.secret!.applyRemovalPolicy(removal);
  const proxy = cluster.addProxy("Proxy", {
    dbProxyName: proxyName(config.stage),
    secrets: [cluster.secret!],
    vpc,
    vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS },
    requireTLS: true,
    // Lambda instances come and go; a client idle this long is gone.
    idleClientTimeout: Duration.minutes(5),
  });
  // (addProxy already lets the proxy reach the cluster.)
  proxy.connections.allowFrom(functions, ec2.Port.tcp(cluster.clusterEndpoint.port), "IPS functions to RDS Proxy");
  return {
    access: {
      secret: cluster.secret!,
      secretId: cluster.secret!.secretArn,
      environment: { DATABASE_HOST: proxy.endpoint, DATABASE_NAME },
      network: { vpc, securityGroup: functions },
    },
    ready: [cluster, proxy, vpc],
    vpc,
  };
}

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
