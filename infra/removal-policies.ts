// What `sst remove` (or a resource's removal from the code) deletes: everything but data. Production keeps
// its data — the database cluster, the secret holding its credentials, buckets and log groups — when a stack
// or a resource goes away; every other resource (routes, functions, schedules, roles, the proxy, the
// network) is deleted with it, so a route or a schedule taken out of the code stops serving. Other stages
// delete everything. An aspect, so it also reaches what constructs create on their own; it replaces SST's
// `setDefaultRemovalPolicy`, which sets one policy on every resource, data or not.
import { CfnResource, RemovalPolicy, type IAspect } from "aws-cdk-lib";
import type { IConstruct } from "constructs";

/**
 * The data resource types. The DB subnet group goes with the cluster: it cannot be deleted while the
 * retained cluster uses it, and a failed delete would leave `sst remove` half done. DB instances are not
 * data (Aurora keeps the data in the cluster volume; instances may be deleted from a deletion-protected
 * cluster), so they go and stop costing.
 */
export const DATA_RESOURCE_TYPES: readonly string[] = [
  "AWS::RDS::DBCluster",
  "AWS::RDS::DBSubnetGroup",
  "AWS::SecretsManager::Secret",
  "AWS::S3::Bucket",
  "AWS::Logs::LogGroup",
];

export class RetainOnlyData implements IAspect {
  /** `dataPolicy`: RETAIN in production, DESTROY elsewhere. */
  constructor(private readonly dataPolicy: RemovalPolicy) {}

  visit(node: IConstruct): void {
    if (!(node instanceof CfnResource)) return;
    node.applyRemovalPolicy(DATA_RESOURCE_TYPES.includes(node.cfnResourceType) ? this.dataPolicy : RemovalPolicy.DESTROY);
  }
}
