import { createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject } from "node:crypto";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { dirname } from "node:path";

export interface SendGridSigningKey {
  privateKey: KeyObject;
  /** base64 SPKI DER: what SendGrid shows as the verification key, and what credentials.eventWebhookPublicKey holds. */
  publicKey: string;
  /** True when this run generated it (the public key must be pasted into the config before it verifies). */
  generated: boolean;
}

/**
 * The simulator's SendGrid key pair: read from `path` (a PKCS#8 PEM), or generated there (mode 0600) on first
 * use so that the public key pasted into the tenant's config keeps working for later runs.
 */
export async function loadOrCreateSendGridKey(path: string): Promise<SendGridSigningKey> {
  let privateKey: KeyObject;
  let generated = false;
  try {
    privateKey = createPrivateKey(await readFile(path, "utf8"));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
    ({ privateKey } = generateKeyPairSync("ec", { namedCurve: "P-256" }));
    await mkdir(dirname(path), { recursive: true });
    await writeFile(path, privateKey.export({ type: "pkcs8", format: "pem" }), { mode: 0o600 });
    generated = true;
  }
  const publicKey = createPublicKey(privateKey).export({ type: "spki", format: "der" }).toString("base64");
  return { privateKey, publicKey, generated };
}
