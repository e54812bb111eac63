// Aurora Serverless v2 (PostgreSQL 16) in private subnets of its own VPC, reached only through RDS Proxy
// (TLS required), the master credentials generated into Secrets Manager: production's cluster and the shared
// preview cluster (infra/shared-database.ts) are both made here.
import { Aws, Duration, Fn, type Stack } from "aws-cdk-lib";
import * as ec2 from "aws-cdk-lib/aws-ec2";
import * as rds from "aws-cdk-lib/aws-rds";
import type { Construct } from "constructs";
import { removalPolicy, type StageConfig } from "./config.ts";
import { AZ_COUNT, DATABASE_NAME, type DatabaseAccess } from "./database-access.ts";
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
