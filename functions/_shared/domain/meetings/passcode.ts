import type { CredentialVault, SealedEnvelope } from "../../crypto/vault.ts";

/**
 * A meeting's passcode is sealed like credentials (DESIGN.md "Credentials at rest"): AES-256-GCM, a fresh IV,
 * the additional data binding it to the tenant and to the meeting row, so a ciphertext copied to another
 * meeting or school does not open. The binding's second part names the meeting, not an integration.
 */
const bindingOf = (tenantId: string, meetingId: string) => ({ tenantId, integrationKey: `zoom-meeting:${meetingId.toLowerCase()}` });

/** @example const sealed = await sealMeetingPasscode(ctx.vault, tenantId, meetingId, created.password); */
export function sealMeetingPasscode(vault: CredentialVault, tenantId: string, meetingId: string, passcode: string): Promise<SealedEnvelope> {
  return vault.seal({ passcode }, bindingOf(tenantId, meetingId));
}

/** The passcode, or `""` when the meeting has none (Zoom then needs a waiting room instead). Throws VaultError. */
export async function openMeetingPasscode(vault: CredentialVault, tenantId: string, meetingId: string, sealed: unknown): Promise<string> {
  if (sealed === null || sealed === undefined) return "";
  const opened = await vault.open<{ passcode?: unknown }>(sealed, bindingOf(tenantId, meetingId));
  return typeof opened.passcode === "string" ? opened.passcode : "";
}
