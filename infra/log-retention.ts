// Every Lambda in the app logs to a log group with a retention: ours get theirs where they are created
// (infra/lambda-function.ts); this aspect covers the ones constructs add on their own (SST's custom
// resource handler, CDK's Trigger and bucket providers), which would otherwise log forever.
import { CfnResource, type IAspect, type RemovalPolicy } from "aws-cdk-lib";
import { CfnFunction } from "aws-cdk-lib/aws-lambda";
import { CfnLogGroup, type RetentionDays } from "aws-cdk-lib/aws-logs";
import type { IConstruct } from "constructs";

export class LogRetentionForEveryFunction implements IAspect {
  constructor(private readonly retention: RetentionDays, private readonly removal: RemovalPolicy) {}

  visit(node: IConstruct): void {
    if (!(node instanceof CfnResource) || node.cfnResourceType !== "AWS::Lambda::Function") return;
    if (node instanceof CfnFunction && node.loggingConfig) return;
    const scope = node.node.scope;
    if (!scope || scope.node.tryFindChild(`${node.node.id}LogGroup`)) return;
    const logGroup = new CfnLogGroup(scope, `${node.node.id}LogGroup`, { retentionInDays: this.retention });
    logGroup.applyRemovalPolicy(this.removal);
    node.addPropertyOverride("LoggingConfig.LogGroup", logGroup.ref);
  }
}
