// Injected ahead of each Lambda bundle's own code (esbuild `inject`, infra/bundling.ts). Its top-level await
// holds the rest of the bundle until process.env carries the secrets, so the runtime's config — read from
// process.env as on every other runtime — needs no AWS knowledge. With no `*_SECRET_ID` variable (local
// runs, the bench) it does nothing and the SDK is never loaded. Which answers mean "absent", and for which
// secrets, is decided in resolve-secrets.ts; the SDK's error `name` is Secrets Manager's error code.
import { resolveSecretsIntoEnv } from "./resolve-secrets.ts";

if (Object.keys(process.env).some((key) => key.endsWith("_SECRET_ID"))) {
  // Provided by the Node.js Lambda runtime; left out of the bundle.
  const { SecretsManagerClient, GetSecretValueCommand } = await import("@aws-sdk/client-secrets-manager");
  const client = new SecretsManagerClient({});
  try {
    const names = await resolveSecretsIntoEnv(process.env, async (secretId) =>
      (await client.send(new GetSecretValueCommand({ SecretId: secretId }))).SecretString);
    console.log(JSON.stringify({ level: "info", msg: "secrets loaded", names }));
  } catch (error) {
    // One line saying which variable and which secret (never a value), then INIT fails. By exiting, not by
    // rethrowing: the runtime logs a thrown error again in full ("Uncaught Exception", message and stack;
    // aws-lambda-nodejs-runtime-interface-client src/index.mjs) — two lines for one failure. On an exit it
    // reports only its status (Runtime.ExitError); console writes are synchronous there, so the line is kept.
    console.error(JSON.stringify({ level: "error", msg: "secrets not loaded", error: (error as Error).message }));
    process.exit(1);
  } finally {
    client.destroy();
  }
}
