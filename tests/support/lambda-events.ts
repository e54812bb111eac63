import type { APIGatewayProxyEventV2, LambdaFunctionURLEvent } from "aws-lambda";

// Events as AWS delivers them, after the samples in the AWS docs: "Working with AWS Lambda proxy integrations
// for HTTP APIs" (payload format 2.0) and "Invoking Lambda function URLs" (request payload). Header names
// arrive lower-cased, repeated headers comma-joined, cookies split out into `cookies`, and the body either as
// text or base64 with `isBase64Encoded`.

export interface EventInput {
  method: string;
  /** The raw path, e.g. `/api/webhooks/stripe/<uuid>`. */
  path: string;
  rawQueryString?: string;
  headers?: Record<string, string>;
  cookies?: string[];
  /** Sent as base64 with `isBase64Encoded: true` when bytes, or when `base64` is set. */
  body?: string | Uint8Array;
  base64?: boolean;
}

const TIME = { time: "26/Nov/2026:10:15:30 +0000", timeEpoch: 1_795_688_130_000 };

function bodyFields(input: EventInput): { body?: string; isBase64Encoded: boolean } {
  if (input.body === undefined) return { isBase64Encoded: false };
  if (typeof input.body !== "string" || input.base64) {
    const bytes = typeof input.body === "string" ? new TextEncoder().encode(input.body) : input.body;
    return { body: Buffer.from(bytes).toString("base64"), isBase64Encoded: true };
  }
  return { body: input.body, isBase64Encoded: false };
}

function queryParameters(rawQueryString: string): Record<string, string> | undefined {
  if (!rawQueryString) return undefined;
  const grouped: Record<string, string[]> = {};
  for (const [name, value] of new URLSearchParams(rawQueryString)) (grouped[name] ??= []).push(value);
  return Object.fromEntries(Object.entries(grouped).map(([name, values]) => [name, values.join(",")]));
}

/**
 * An API Gateway HTTP API (payload format 2.0) event for a route such as
 * `POST /api/webhooks/stripe/{tenantId}` (`routeKey`), with its `pathParameters`.
 */
export function httpApiEvent(
  input: EventInput & { routeKey: string; pathParameters?: Record<string, string> },
): APIGatewayProxyEventV2 {
  const domainName = "r4nd0m1d.execute-api.eu-west-1.amazonaws.com";
  const rawQueryString = input.rawQueryString ?? "";
  const query = queryParameters(rawQueryString);
  return {
    version: "2.0",
    routeKey: input.routeKey,
    rawPath: input.path,
    rawQueryString,
    ...(input.cookies ? { cookies: input.cookies } : {}),
    headers: {
      accept: "*/*",
      "content-length": String(input.body === undefined ? 0 : typeof input.body === "string" ? Buffer.byteLength(input.body) : input.body.length),
      host: domainName,
      "x-amzn-trace-id": "Root=1-6745a1b2-0123456789abcdef01234567",
      "x-forwarded-for": "203.0.113.7",
      "x-forwarded-port": "443",
      "x-forwarded-proto": "https",
      ...input.headers,
    },
    ...(query ? { queryStringParameters: query } : {}),
    requestContext: {
      accountId: "123456789012",
      apiId: "r4nd0m1d",
      domainName,
      domainPrefix: "r4nd0m1d",
      http: { method: input.method, path: input.path, protocol: "HTTP/1.1", sourceIp: "203.0.113.7", userAgent: input.headers?.["user-agent"] ?? "curl/8.5.0" },
      requestId: "Nf2bKhCsjoEEMbQ=",
      routeKey: input.routeKey,
      stage: "$default",
      ...TIME,
    },
    ...(input.pathParameters ? { pathParameters: input.pathParameters } : {}),
    ...bodyFields(input),
  };
}

/** A Lambda Function URL event: same 2.0 shape, `$default` route, no path parameters, IAM/none authorizer. */
export function functionUrlEvent(input: EventInput): LambdaFunctionURLEvent {
  const domainName = "abcdefghijklmnopqrstuvwxyz0123456.lambda-url.eu-west-1.on.aws";
  const rawQueryString = input.rawQueryString ?? "";
  const query = queryParameters(rawQueryString);
  return {
    version: "2.0",
    routeKey: "$default",
    rawPath: input.path,
    rawQueryString,
    ...(input.cookies ? { cookies: input.cookies } : {}),
    headers: {
      accept: "*/*",
      host: domainName,
      "x-amzn-tls-cipher-suite": "TLS_AES_128_GCM_SHA256",
      "x-amzn-tls-version": "TLSv1.3",
      "x-amzn-trace-id": "Root=1-6745a1b2-89abcdef0123456789abcdef",
      "x-forwarded-for": "203.0.113.7",
      "x-forwarded-port": "443",
      "x-forwarded-proto": "https",
      ...input.headers,
    },
    ...(query ? { queryStringParameters: query } : {}),
    requestContext: {
      accountId: "anonymous",
      apiId: "abcdefghijklmnopqrstuvwxyz0123456",
      domainName,
      domainPrefix: "abcdefghijklmnopqrstuvwxyz0123456",
      http: { method: input.method, path: input.path, protocol: "HTTP/1.1", sourceIp: "203.0.113.7", userAgent: input.headers?.["user-agent"] ?? "curl/8.5.0" },
      requestId: "8d2b5b8e-51c7-4f5c-9a57-0c2f3a1d9e77",
      routeKey: "$default",
      stage: "$default",
      ...TIME,
    },
    ...bodyFields(input),
  };
}
