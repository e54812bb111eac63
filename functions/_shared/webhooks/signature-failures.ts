import type { Db } from "../db/port.ts";
import type { Logger } from "../http/logger.ts";

/**
 * Counts a request that failed verification so admins can see it (source and reason code only: no body,
 * no header, no secret). Best effort: a failure to record never changes the 401.
 */
export async function recordSignatureFailure(
  db: Db, log: Logger, failure: { tenantId: string; source: string; reason: string },
): Promise<void> {
  try {
    await db.query("insert into webhook_signature_failures (tenant_id, source, reason) values ($1, $2, $3)", [
      failure.tenantId, failure.source, failure.reason,
    ]);
  } catch (error) {
    log.warn("could not record signature failure", { code: (error as { code?: string }).code ?? "unknown" });
  }
}
