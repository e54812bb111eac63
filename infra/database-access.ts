// What a function needs to reach a stage's database, whichever kind it is: the one type the database, the
// migrations and the functions share (its own file, so none of them imports another's module for it).
import type * as ec2 from "aws-cdk-lib/aws-ec2";
import type { ISecret } from "aws-cdk-lib/aws-secretsmanager";

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
