// The convention between the IaC and every Lambda: a variable's *value* never sits in the function's
// configuration; `<NAME>_SECRET_ID` names the Secrets Manager secret holding it, and at cold start
// `<NAME>` is set from that secret, before the function parses its config from process.env.

/** A secret's string value, or undefined when it has none; throws the service's error (its `name` is the code). */
export type GetSecret = (secretId: string) => Promise<string | undefined>;

/**
 * What Secrets Manager answers for a secret that was never created. `ResourceNotFoundException` when the
 * caller may read any secret of that name; `AccessDeniedException` when, as for our functions, the IAM grant
 * names the secret `<name>-??????` (the suffix AWS appends on creation): with no secret to match, AWS cannot
 * tell "absent" from "not yours" and refuses. Either means "absent" for an optional secret only — for a
 * required one it may as well be a wrong grant, and the function must not start.
 */
export const ABSENT_SECRET_ERRORS: readonly string[] = ["ResourceNotFoundException", "AccessDeniedException"];

export type MutableEnv = Record<string, string | undefined>;

const SUFFIX = "_SECRET_ID";

/** RDS-generated credentials (`{"username","password","host","port","dbname",…}`) as a postgres URL. */
function databaseUrlFrom(value: string, env: MutableEnv): string {
  if (!value.trimStart().startsWith("{")) return value.trim();
  const secret = JSON.parse(value) as { username?: string; password?: string; host?: string; port?: number | string; dbname?: string };
  const host = env.DATABASE_HOST || secret.host;
  if (!secret.username || !secret.password || !host) throw new Error("is a JSON secret without username, password and host");
  const name = env.DATABASE_NAME || secret.dbname || "postgres";
  const url = new URL(`postgres://${host}:${secret.port ?? 5432}/`);
  url.username = encodeURIComponent(secret.username);
  url.password = encodeURIComponent(secret.password);
  url.pathname = `/${encodeURIComponent(name)}`;
  url.searchParams.set("sslmode", env.DATABASE_SSLMODE || "verify-full");
  return url.toString();
}

/**
 * Sets `env[NAME]` for every `NAME_SECRET_ID` in `env`, fetching the secrets in parallel. A variable that
 * is already set is left alone (so it can be overridden by hand). A missing secret fails, naming the
 * variable and the secret id, unless the variable is listed in `OPTIONAL_SECRETS` (comma-separated): an
 * optional secret that is empty or answers one of ABSENT_SECRET_ERRORS is skipped.
 * `DATABASE_URL` may also come from RDS-generated credentials; `DATABASE_HOST` (the RDS Proxy endpoint),
 * `DATABASE_NAME` and `DATABASE_SSLMODE` (default `verify-full`) complete the URL. Errors never carry a value.
 * Returns the names it set.
 * @example await resolveSecretsIntoEnv(process.env, (id) => secretsManager.get(id));
 */
export async function resolveSecretsIntoEnv(env: MutableEnv, getSecret: GetSecret): Promise<string[]> {
  const optional = new Set((env.OPTIONAL_SECRETS ?? "").split(",").map((name) => name.trim()).filter(Boolean));
  const wanted = Object.entries(env)
    .filter(([key, id]) => key.endsWith(SUFFIX) && key.length > SUFFIX.length && id?.trim())
    .map(([key, id]) => ({ name: key.slice(0, -SUFFIX.length), id: id!.trim() }))
    .filter(({ name }) => !env[name]?.trim());
  const values = await Promise.all(
    wanted.map(async ({ name, id }) => {
      let value: string | undefined;
      try {
        value = await getSecret(id);
      } catch (error) {
        const code = (error as Error).name;
        if (optional.has(name) && ABSENT_SECRET_ERRORS.includes(code)) return undefined;
        if (code === "ResourceNotFoundException") throw new Error(`${name}: secret "${id}" does not exist (${code})`, { cause: error });
        // AWS's message names the role and the ARN pattern, never a value; the code alone says what to check.
        const hint = code === "AccessDeniedException" ? " — it does not exist, or this function may not read it" : "";
        throw new Error(`${name}: cannot read secret "${id}" (${code})${hint}`, { cause: error });
      }
      if (value === undefined || value === "") {
        if (optional.has(name)) return undefined;
        throw new Error(`${name}: secret "${id}" does not exist or is empty`);
      }
      try {
        return name === "DATABASE_URL" ? databaseUrlFrom(value, env) : value;
      } catch (error) {
        // JSON.parse's message can quote the secret; keep only the kind of problem.
        const problem = error instanceof SyntaxError ? "is not valid JSON" : (error as Error).message;
        throw new Error(`${name}: secret "${id}" ${problem}`);
      }
    }),
  );
  const set: string[] = [];
  wanted.forEach(({ name }, i) => {
    const value = values[i];
    if (value === undefined) return;
    env[name] = value;
    set.push(name);
  });
  return set;
}
