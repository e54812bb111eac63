// The hosted config page (web/): a private S3 bucket behind CloudFront (origin access control), with `/api/*`
// forwarded to the HTTP API so the page calls the API on its own origin — no CORS. web/ is uploaded (and the
// cache invalidated) on deploy whenever it holds files.
import { Fn } from "aws-cdk-lib";
import * as cloudfront from "aws-cdk-lib/aws-cloudfront";
import { HttpOrigin, S3BucketOrigin } from "aws-cdk-lib/aws-cloudfront-origins";
import { BlockPublicAccess, Bucket, BucketEncryption } from "aws-cdk-lib/aws-s3";
import { BucketDeployment, Source } from "aws-cdk-lib/aws-s3-deployment";
import { existsSync, readdirSync } from "node:fs";
import { use, type StackContext } from "sst/constructs";
import { Api } from "./api.ts";
import { adminContentSecurityPolicy, type AdminPageAuthConfig } from "../functions/runtimes/node/admin-page-config.ts";
import { ADMIN_PAGE_REWRITE_SOURCE, PAY_PAGE_CONTENT_SECURITY_POLICY, PAY_PAGE_REWRITE_SOURCE } from "./site-routes.ts";
import { removalPolicy, useStageConfig } from "./config.ts";

const hasFiles = (dir: string) => existsSync(dir) && readdirSync(dir).some((name) => !name.startsWith("."));

export function Site({ stack, app }: StackContext): { url: string } {
  const config = useStageConfig(app);
  const { api } = use(Api);
  const bucket = new Bucket(stack, "SiteBucket", {
    blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
    encryption: BucketEncryption.S3_MANAGED,
    enforceSSL: true,
    removalPolicy: removalPolicy(config),
    autoDeleteObjects: !config.production,
  });
  const siteOrigin = S3BucketOrigin.withOriginAccessControl(bucket);
  // The student pages: /pay/{enrollmentId}[/success|/cancel] → one HTML file each, with the same strict
  // headers as on the dev server (no referrer: nothing of the page's address leaves with a request).
  const payPages: cloudfront.BehaviorOptions = {
    origin: siteOrigin,
    viewerProtocolPolicy: cloudfront.ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
    functionAssociations: [{
      eventType: cloudfront.FunctionEventType.VIEWER_REQUEST,
      function: new cloudfront.Function(stack, "PayPageRewrite", {
        code: cloudfront.FunctionCode.fromInline(PAY_PAGE_REWRITE_SOURCE),
        runtime: cloudfront.FunctionRuntime.JS_2_0,
      }),
    }],
    responseHeadersPolicy: new cloudfront.ResponseHeadersPolicy(stack, "PayPageHeaders", {
      securityHeadersBehavior: {
        contentSecurityPolicy: { contentSecurityPolicy: PAY_PAGE_CONTENT_SECURITY_POLICY, override: true },
        referrerPolicy: { referrerPolicy: cloudfront.HeadersReferrerPolicy.NO_REFERRER, override: true },
        contentTypeOptions: { override: true },
        frameOptions: { frameOption: cloudfront.HeadersFrameOption.DENY, override: true },
      },
    }),
  };
  // The admin config page: /admin/config/integrations → admin/index.html, with the headers the dev server sends
  // (its CSP lets the page reach Supabase Auth when sign-in goes there).
  const adminPages: cloudfront.BehaviorOptions = {
    origin: siteOrigin,
    viewerProtocolPolicy: cloudfront.ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
    functionAssociations: [{
      eventType: cloudfront.FunctionEventType.VIEWER_REQUEST,
      function: new cloudfront.Function(stack, "AdminPageRewrite", {
        code: cloudfront.FunctionCode.fromInline(ADMIN_PAGE_REWRITE_SOURCE),
        runtime: cloudfront.FunctionRuntime.JS_2_0,
      }),
    }],
    responseHeadersPolicy: new cloudfront.ResponseHeadersPolicy(stack, "AdminPageHeaders", {
      securityHeadersBehavior: {
        contentSecurityPolicy: { contentSecurityPolicy: adminContentSecurityPolicy(config.supabaseUrl), override: true },
        referrerPolicy: { referrerPolicy: cloudfront.HeadersReferrerPolicy.NO_REFERRER, override: true },
        contentTypeOptions: { override: true },
        frameOptions: { frameOption: cloudfront.HeadersFrameOption.DENY, override: true },
      },
    }),
  };
  const distribution = new cloudfront.Distribution(stack, "SiteDistribution", {
    comment: `IPS config page (${config.stage})`,
    defaultRootObject: "index.html",
    defaultBehavior: {
      origin: siteOrigin,
      viewerProtocolPolicy: cloudfront.ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
    },
    additionalBehaviors: {
      "/pay/*": payPages,
      "/admin/*": adminPages,
      "/api/*": {
        // https://<id>.execute-api.<region>.amazonaws.com → <id>.execute-api.<region>.amazonaws.com
        origin: new HttpOrigin(Fn.select(2, Fn.split("/", api.apiEndpoint))),
        viewerProtocolPolicy: cloudfront.ViewerProtocolPolicy.HTTPS_ONLY,
        allowedMethods: cloudfront.AllowedMethods.ALLOW_ALL,
        cachePolicy: cloudfront.CachePolicy.CACHING_DISABLED,
        originRequestPolicy: cloudfront.OriginRequestPolicy.ALL_VIEWER_EXCEPT_HOST_HEADER,
      },
    },
  });
  if (hasFiles(config.webDir)) {
    new BucketDeployment(stack, "SiteFiles", {
      // How the config page signs in: public values only; the development sign-in never exists here. (A value
      // left out reads as null on the page; jsonData cannot write a null.)
      sources: [Source.asset(config.webDir), Source.jsonData("admin/auth-config.json", {
        devSignIn: false,
        ...(config.supabaseUrl && config.supabaseAnonKey ? { supabaseUrl: config.supabaseUrl, supabaseAnonKey: config.supabaseAnonKey } : {}),
      } satisfies Partial<AdminPageAuthConfig>)],
      destinationBucket: bucket,
      distribution,
      distributionPaths: ["/*"],
    });
  }
  const url = `https://${distribution.distributionDomainName}`;
  stack.addOutputs({ SiteUrl: url });
  return { url };
}
