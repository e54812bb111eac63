// Injected ahead of each Lambda bundle's own code (esbuild `inject`, infra/bundling.ts). Its top-level await
// holds the rest of the bundle until process.env carries the secrets, so the runtime's config — read from
// process.env as on every other runtime — needs no AWS knowledge. With no `*_SECRET_ID` variable (local
// runs, the bench) it does nothing and the SDK is never loaded.
import { resolveSecretsIntoEnv } from "./resolve-secrets.ts";

if (Object.keys(process.env).some((key) => key.endsWith("_SECRET_ID"))) {
  // Provided by the Node.js Lambda runtime; left out of the bundle.
  const { SecretsManagerClient, GetSecretValueCommand, ResourceNotFoundException } = await import("@aws-sdk/client-secrets-manager");
  const client = new SecretsManagerClient({});
  const names = await resolveSecretsIntoEnv(process.env, async (secretId) => {
    try {
      return (await client.send(new GetSecretValueCommand({ SecretId: secretId }))).SecretString;
    } catch (error) {
      if (error instanceof ResourceNotFoundException) return undefined;
      throw error;
    }
  });
  client.destroy();
  console.log(JSON.stringify({ level: "info", msg: "secrets loaded", names }));
}
