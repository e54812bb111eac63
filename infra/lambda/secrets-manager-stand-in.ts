// A stand-in for AWS Secrets Manager on loopback, for tests that run a Lambda bundle with the real AWS SDK
// (reached through AWS_ENDPOINT_URL_SECRETS_MANAGER). It speaks the service's JSON 1.1 protocol —
// `POST /` with `X-Amz-Target: secretsmanager.GetSecretValue`, `Content-Type: application/x-amz-json-1.1`,
// SigV4-signed — and answers as AWS does, including the answer that matters most for a first deploy: a
// secret that was never created, asked for by a role whose grant names it `<name>-??????` (as CDK's
// `Secret.fromSecretNameV2(…).grantRead` writes it), is refused with AccessDeniedException, because no
// resource matches the grant; only a caller allowed every name learns ResourceNotFoundException.
// Errors: HTTP 400, `x-amzn-ErrorType` and body `{"__type": "<Code>", "Message": "…"}` (AWS JSON protocol).
import { randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

export interface StandInOptions {
  /** Secret name (or full ARN) → SecretString. */
  secrets: Record<string, string>;
  /**
   * How the calling role's IAM grant names secrets. `suffixed` (ours): only `<name>-??????`, so a secret
   * that does not exist is AccessDeniedException. `any`: `secretsmanager:GetSecretValue` on `*`.
   */
  grant?: "suffixed" | "any";
  region?: string;
}

export interface SecretsManagerStandIn {
  /** For AWS_ENDPOINT_URL_SECRETS_MANAGER. */
  endpoint: string;
  /** Every request as `<X-Amz-Target> <SecretId>`. */
  requests: string[];
  /** Requests that were not SigV4-signed for secretsmanager or not JSON 1.1 (should stay empty). */
  malformed: string[];
  close(): Promise<void>;
}

const ACCOUNT = "123456789012";
const ROLE = `arn:aws:sts::${ACCOUNT}:assumed-role/ips-function-role/ips-function`;

function send(res: ServerResponse, status: number, body: unknown, errorType?: string): void {
  res.statusCode = status;
  res.setHeader("content-type", "application/x-amz-json-1.1");
  res.setHeader("x-amzn-requestid", randomUUID());
  if (errorType) res.setHeader("x-amzn-errortype", errorType);
  res.end(JSON.stringify(body));
}

const error = (res: ServerResponse, code: string, message: string) => send(res, 400, { __type: code, Message: message }, code);

async function readBody(req: IncomingMessage): Promise<string> {
  let body = "";
  for await (const chunk of req) body += chunk;
  return body;
}

/**
 * Starts the stand-in on 127.0.0.1 (a free port).
 * @example const sm = await startSecretsManagerStandIn({ secrets: { "ips/preview/ENCRYPTION_KEY": key } });
 */
export async function startSecretsManagerStandIn(options: StandInOptions): Promise<SecretsManagerStandIn> {
  const region = options.region ?? "us-east-1";
  const requests: string[] = [];
  const malformed: string[] = [];
  const server: Server = createServer(async (req, res) => {
    const target = String(req.headers["x-amz-target"] ?? "");
    const body = await readBody(req);
    const signed = /^AWS4-HMAC-SHA256 Credential=[^/]+\/\d{8}\/[\w-]+\/secretsmanager\/aws4_request/.test(String(req.headers.authorization ?? ""));
    if (req.method !== "POST" || req.headers["content-type"] !== "application/x-amz-json-1.1" || !signed) {
      malformed.push(`${req.method} ${target} ${req.headers["content-type"]}`);
    }
    let input: { SecretId?: string };
    try {
      input = JSON.parse(body || "{}") as { SecretId?: string };
    } catch {
      return error(res, "SerializationException", "Start of structure or map found where not expected.");
    }
    requests.push(`${target} ${input.SecretId ?? ""}`);
    if (target !== "secretsmanager.GetSecretValue") return error(res, "UnknownOperationException", "");
    const id = input.SecretId ?? "";
    if (!id) return error(res, "InvalidParameterException", "You must provide a value for SecretId.");
    const value = options.secrets[id];
    if (value === undefined) {
      if ((options.grant ?? "suffixed") === "suffixed") {
        return error(res, "AccessDeniedException",
          `User: ${ROLE} is not authorized to perform: secretsmanager:GetSecretValue on resource: ${id} because no identity-based policy allows the secretsmanager:GetSecretValue action`);
      }
      return error(res, "ResourceNotFoundException", "Secrets Manager can't find the specified secret.");
    }
    const arn = id.startsWith("arn:") ? id : `arn:aws:secretsmanager:${region}:${ACCOUNT}:secret:${id}-AbCdEf`;
    send(res, 200, {
      ARN: arn, Name: id.startsWith("arn:") ? id.split(":").at(-1) : id, SecretString: value,
      VersionId: "a1b2c3d4-5678-90ab-cdef-EXAMPLE11111", VersionStages: ["AWSCURRENT"], CreatedDate: 1_764_547_200.0,
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests,
    malformed,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
