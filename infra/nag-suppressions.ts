// The cdk-nag AwsSolutions findings we accept, each with why. infra/stacks.test.ts runs the pack over every
// kind of stage and fails on any finding not listed here, so a new one is either fixed or argued for here.
// Suppressions are per stack (metadata cdk-nag reads); IAM ones name exactly the policy or wildcard they allow.
import { Stack, type IAspect } from "aws-cdk-lib";
import { NagSuppressions, type NagPackSuppression } from "cdk-nag";
import type { IConstruct } from "constructs";
import type { StageConfig } from "./config.ts";

const MANAGED_POLICY = (name: string) => `Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/${name}`;

export function acceptedFindings(config: StageConfig): NagPackSuppression[] {
  const findings: NagPackSuppression[] = [
    {
      id: "AwsSolutions-IAM4",
      reason: "AWS's own minimal Lambda policies: write the function's logs (AWSLambdaBasicExecutionRole) and, in a VPC, manage its network interfaces (AWSLambdaVPCAccessExecutionRole). Writing them out by hand would copy them, not narrow them.",
      appliesTo: [MANAGED_POLICY("AWSLambdaBasicExecutionRole"), MANAGED_POLICY("AWSLambdaVPCAccessExecutionRole")],
    },
    {
      id: "AwsSolutions-IAM5",
      reason: "A job's starter may invoke the job's function, and `<arn>:*` is how IAM names that one function's versions and aliases — no other function.",
      appliesTo: [{ regex: "/^Resource::<[A-Za-z0-9]+\\.Arn>:\\*$/" }],
    },
    {
      id: "AwsSolutions-IAM5",
      reason: "CDK's BucketDeployment provider copies web/ from the CDK asset bucket into the site bucket and invalidates the CloudFront cache: object-level S3 actions on those two buckets, and cloudfront:CreateInvalidation, which has no resource-level permissions.",
      appliesTo: [
        "Action::s3:GetObject*", "Action::s3:GetBucket*", "Action::s3:List*", "Action::s3:DeleteObject*", "Action::s3:Abort*",
        { regex: "/^Resource::<SiteBucket[A-Za-z0-9]*\\.Arn>\\/\\*$/" },
        { regex: "/^Resource::arn:<AWS::Partition>:s3:::cdk-[a-z0-9]+-assets-<AWS::AccountId>-<AWS::Region>\\/\\*$/" },
        "Resource::*",
      ],
    },
    {
      id: "AwsSolutions-L1",
      reason: "Node.js 22 on purpose: the runtime the code, the bundles (esbuild target node22) and CI are tested on. The custom resource handlers CDK and SST add pin their own runtime.",
    },
    {
      id: "AwsSolutions-APIG4",
      reason: "Each function authenticates its own callers — providers by their webhook signature, users and admins by Supabase HS256 tokens, jobs by the service_role key — which API Gateway's authorizers cannot verify (its JWT authorizer needs a JWKS).",
    },
    {
      id: "AwsSolutions-SQS3",
      reason: "This queue is the dead-letter queue: it receives failed scheduled runs, and a dead-letter queue of its own would only move them again.",
    },
    {
      id: "AwsSolutions-VPC7",
      reason: "The VPC holds the functions, RDS Proxy and Aurora; nothing in it accepts traffic from outside (the proxy admits only the functions' security group). Flow logs would bill every byte to and from the database for no reader; API access logs and the functions' logs record every request.",
    },
    {
      id: "AwsSolutions-SMG4",
      reason: "The cluster's generated master credentials are read only by RDS Proxy and the stage's functions. Rotating them needs a rotation function inside the VPC and proxy re-reads; out of scope for now, tracked as an operational task.",
    },
    {
      id: "AwsSolutions-RDS6",
      reason: "Clients never reach the cluster directly: they connect to RDS Proxy over required TLS with the credentials from Secrets Manager, and the proxy connects to the cluster with the same secret.",
    },
    {
      id: "AwsSolutions-S1",
      reason: "The site bucket is private and served only through CloudFront (origin access control); it holds the static config page, and every API call it makes is in the API's access log.",
    },
    {
      id: "AwsSolutions-CFR1",
      reason: "Schools and families may be anywhere; no country is to be refused.",
    },
    {
      id: "AwsSolutions-CFR2",
      reason: "A static page and an API whose functions verify signatures and tokens and rate-limit per client and user, behind a throttled API Gateway stage: a WAF web ACL (a monthly fee per stage) is not needed yet.",
    },
    {
      id: "AwsSolutions-CFR3",
      reason: "The distribution serves a static page and forwards /api/* to the HTTP API, whose access log records every API request; CloudFront standard logs would need a log bucket with ACLs for the page views alone.",
    },
    {
      id: "AwsSolutions-CFR4",
      reason: "The distribution uses CloudFront's default *.cloudfront.net certificate (no custom domain), whose minimum protocol CloudFront fixes; a custom domain with TLSv1.2_2021 is the operator's to add.",
    },
  ];
  if (!config.production) {
    findings.push({
      id: "AwsSolutions-RDS10",
      reason: "A branch stage's cluster is deleted with the stage on purpose (sst remove when the branch goes); production's is deletion-protected.",
    });
  }
  return findings;
}

/** Adds the accepted findings to every stack of the app (an aspect, so stacks added later get them too). */
export class AcceptedNagFindings implements IAspect {
  private readonly done = new WeakSet<Stack>();
  constructor(private readonly config: StageConfig) {}

  visit(node: IConstruct): void {
    if (!(node instanceof Stack) || this.done.has(node)) return;
    this.done.add(node);
    NagSuppressions.addStackSuppressions(node, acceptedFindings(this.config), true);
  }
}
