import { mkdir, readFile, writeFile } from "node:fs/promises";
import { bytesToBase64, bytesToHex } from "../../_shared/crypto/encoding.ts";

/**
 * For `npm run dev` only: the secrets a newcomer has not set yet, generated once and kept in
 * `.data/dev-secrets.json` (git-ignored) so stored credentials stay readable across restarts.
 * Never used by tests, Lambda or Deno, which must be configured.
 */
export async function withDevDefaults(env: NodeJS.ProcessEnv, dataDir: string): Promise<{ env: Record<string, string | undefined>; generated: string[] }> {
  const file = `${dataDir}/dev-secrets.json`;
  let saved: Record<string, string> = {};
  try {
    saved = JSON.parse(await readFile(file, "utf8"));
  } catch {
    // First start: nothing saved yet.
  }
  const defaults: Record<string, () => string> = {
    ENCRYPTION_KEY: () => bytesToHex(crypto.getRandomValues(new Uint8Array(32))),
    SUPABASE_JWT_SECRET: () => bytesToBase64(crypto.getRandomValues(new Uint8Array(48))),
  };
  const generated: string[] = [];
  const result: Record<string, string | undefined> = { ...env };
  for (const [name, make] of Object.entries(defaults)) {
    if (env[name]?.trim()) continue;
    result[name] = saved[name] ??= make();
    generated.push(name);
  }
  if (generated.length) {
    await mkdir(dataDir, { recursive: true });
    await writeFile(file, JSON.stringify(saved, null, 2), { mode: 0o600 });
  }
  return { env: result, generated };
}
