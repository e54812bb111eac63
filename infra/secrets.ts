// The application secrets, by reference only: ENCRYPTION_KEY, ENCRYPTION_KEYS_OLD and SUPABASE_JWT_SECRET
// live in Secrets Manager as `<prefix>/<NAME>` (plain strings), created once per environment by an operator
// (README → Deploy). The stacks hold their names and grant each function read access to the ones its
// manifest entry lists; the values are read by the function at cold start and never enter a template.
import { Secret, type ISecret } from "aws-cdk-lib/aws-secretsmanager";
import type { Construct } from "constructs";
import type { SecretName } from "../functions/manifest.ts";
import type { StageConfig } from "./config.ts";

export type AppSecretName = Exclude<SecretName, "DATABASE_URL">;

export const APP_SECRETS: readonly AppSecretName[] = ["ENCRYPTION_KEY", "ENCRYPTION_KEYS_OLD", "SUPABASE_JWT_SECRET"];

/** Needed only while ENCRYPTION_KEY rotates: a function starts without it when the secret does not exist. */
export const OPTIONAL_SECRETS: readonly AppSecretName[] = ["ENCRYPTION_KEYS_OLD"];

export const secretName = (config: StageConfig, name: AppSecretName) => `${config.secretsPrefix}/${name}`;

/** References (no resources) to the stage's application secrets, made once per `scope`. */
export function appSecrets(scope: Construct, config: StageConfig): Record<AppSecretName, ISecret> {
  const entries = APP_SECRETS.map((name) => {
    const id = `Secret${name}`;
    const existing = scope.node.tryFindChild(id) as ISecret | undefined;
    return [name, existing ?? Secret.fromSecretNameV2(scope, id, secretName(config, name))] as const;
  });
  return Object.fromEntries(entries) as Record<AppSecretName, ISecret>;
}
