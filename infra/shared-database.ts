// One preview database cluster per AWS account and region, shared by every branch stage: a VPC, a NAT
// gateway, an Aurora cluster and an RDS Proxy cost the same whether one branch uses them or twenty, and a
// cluster per branch would exhaust the default quotas (5 VPCs, 20 proxies) by the third open pull request.
//
// - The `preview-shared` stage deploys only the SharedDatabase stack: the cluster as production has it
//   (infra/database.ts, sized for previews), plus SSM parameters publishing how to reach it.
// - A branch stage (database kind `shared`) reads those parameters at deploy time, runs its functions in the
//   cluster's VPC with the security group the proxy admits, and uses a database of its own, `ips_<stage>`:
//   the migrate function creates it when absent (infra/lambda/stage-database.ts), and a `Custom::StageDatabase`
//   resource drops it when the stage is removed (`sst remove`, or the branch's deletion in CI).
// Parameters, not CloudFormation exports: an export would stop the shared stack from ever changing a value
// while a branch imports it, and a branch stage must not pin the cluster's stack.
import { CustomResource, Duration, Fn, Tags, type Stack } from "aws-cdk-lib";
import * as ec2 from "aws-cdk-lib/aws-ec2";
import { Architecture } from "aws-cdk-lib/aws-lambda";
import { NodejsFunction } from "aws-cdk-lib/aws-lambda-nodejs";
import { LogGroup } from "aws-cdk-lib/aws-logs";
import { Secret } from "aws-cdk-lib/aws-secretsmanager";
import * as ssm from "aws-cdk-lib/aws-ssm";
import { join } from "node:path";
import type { StackContext } from "sst/constructs";
import { lambdaBundling } from "./bundling.ts";
import { removalPolicy, useStageConfig, type StageConfig } from "./config.ts";
import { auroraDatabase } from "./aurora.ts";
import { AZ_COUNT, type DatabaseAccess } from "./database-access.ts";
import { stageDatabaseName } from "./lambda/stage-database.ts";
import { FUNCTION_TAG, LAMBDA_RUNTIME } from "./lambda-runtime.ts";
import { REPO_ROOT } from "./paths.ts";
import { SHARED_DATABASE_STAGE } from "./stage.ts";

/** Where the shared stack publishes the cluster; fixed per account and region, like the cluster itself. */
export const SHARED_PARAMETER_PREFIX = `/ips-integrations/${SHARED_DATABASE_STAGE}`;
const PARAMETERS = {
  vpcId: "vpc-id",
  availabilityZones: "availability-zones",
  functionSubnetIds: "function-subnet-ids",
  securityGroupId: "functions-security-group-id",
  proxyEndpoint: "proxy-endpoint",
  secretArn: "secret-arn",
} as const;
export const sharedParameterName = (key: keyof typeof PARAMETERS) => `${SHARED_PARAMETER_PREFIX}/${PARAMETERS[key]}`;

/** The tag (and CloudFormation logical id) of the function that drops a stage's database. */
export const DROP_STAGE_DATABASE_FUNCTION = "drop-stage-database";

/** The SharedDatabase stack: the only stack of the `preview-shared` stage. */
export function SharedDatabase({ stack, app }: StackContext): void {
  const config = useStageConfig(app);
  const { access, vpc } = auroraDatabase(stack, config);
  const network = access.network!;
  const publish = (key: keyof typeof PARAMETERS, stringValue: string, description: string) =>
    new ssm.StringParameter(stack, `Parameter${key[0]!.toUpperCase()}${key.slice(1)}`, { parameterName: sharedParameterName(key), stringValue, description });
  publish("vpcId", vpc.vpcId, "VPC of the shared preview database");
  publish("availabilityZones", Fn.join(",", vpc.availabilityZones), "its availability zones, in subnet order");
  publish("functionSubnetIds", Fn.join(",", vpc.privateSubnets.map((s) => s.subnetId)), "subnets (with NAT) where branch functions run");
  publish("securityGroupId", network.securityGroup.securityGroupId, "security group the RDS Proxy admits");
  publish("proxyEndpoint", access.environment.DATABASE_HOST!, "RDS Proxy endpoint");
  publish("secretArn", access.secretId, "Secrets Manager secret with the cluster's credentials");
  stack.addOutputs({ SharedDatabaseParameters: SHARED_PARAMETER_PREFIX });
}

/** A branch stage's access to its own database in the shared cluster, resolved from the parameters at deploy. */
export function sharedDatabaseAccess(stack: Stack, config: StageConfig): DatabaseAccess {
  const value = (key: keyof typeof PARAMETERS) => ssm.StringParameter.valueForStringParameter(stack, sharedParameterName(key));
  const vpc = ec2.Vpc.fromVpcAttributes(stack, "SharedVpc", {
    vpcId: value("vpcId"),
    availabilityZones: Fn.split(",", value("availabilityZones"), AZ_COUNT),
    privateSubnetIds: Fn.split(",", value("functionSubnetIds"), AZ_COUNT),
  });
  const securityGroup = ec2.SecurityGroup.fromSecurityGroupId(stack, "SharedFunctionsSecurityGroup", value("securityGroupId"), {
    allowAllOutbound: true,
    mutable: false,
  });
  const secretArn = value("secretArn");
  return {
    secret: Secret.fromSecretCompleteArn(stack, "SharedDatabaseSecret", secretArn),
    secretId: secretArn,
    environment: { DATABASE_HOST: value("proxyEndpoint"), DATABASE_NAME: stageDatabaseName(config.stage) },
    network: { vpc, securityGroup },
  };
}

/**
 * The branch stage's side: the migrate function creates the stage's database before migrating, and the
 * `Custom::StageDatabase` resource drops it on removal (its Lambda answers CloudFormation itself).
 */
export function addStageDatabaseLifecycle(stack: Stack, config: StageConfig, database: DatabaseAccess, migrate: NodejsFunction): CustomResource {
  migrate.addEnvironment("CREATE_DATABASE_IF_ABSENT", "true");
  const fn = new NodejsFunction(stack, "DropStageDatabase", {
    entry: join(REPO_ROOT, "infra", "lambda", "stage-database.ts"),
    handler: "handler",
    runtime: LAMBDA_RUNTIME,
    architecture: Architecture.ARM_64,
    memorySize: 256,
    timeout: Duration.minutes(2),
    description: `Drops ips_${config.stage} from the shared preview cluster when the stage is removed`,
    projectRoot: REPO_ROOT,
    depsLockFilePath: join(REPO_ROOT, "package-lock.json"),
    bundling: lambdaBundling(),
    environment: { DATABASE_URL_SECRET_ID: database.secretId, ...database.environment },
    logGroup: new LogGroup(stack, "DropStageDatabaseLogs", { retention: config.logRetention, removalPolicy: removalPolicy(config) }),
    vpc: database.network!.vpc,
    vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS },
    securityGroups: [database.network!.securityGroup],
  });
  Tags.of(fn).add(FUNCTION_TAG, DROP_STAGE_DATABASE_FUNCTION);
  database.secret.grantRead(fn);
  return new CustomResource(stack, "StageDatabase", {
    serviceToken: fn.functionArn,
    // CloudFormation waits for an answer up to an hour by default, and a function whose INIT fails (a secret it
    // cannot read) never sends one. A drop takes seconds; 5 minutes covers the function's 2-minute timeout and
    // Lambda's first retry of the asynchronous invocation, then the stack operation fails and can be retried.
    serviceTimeout: Duration.minutes(5),
    resourceType: "Custom::StageDatabase",
    properties: { DatabaseName: stageDatabaseName(config.stage) },
  });
}
