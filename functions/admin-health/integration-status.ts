import type { IntegrationKey } from "../_shared/integrations/catalog.ts";

type Window = { last24h: number; last7d: number };

/** One integration's health as GET /api/admin/health reports it. */
export interface IntegrationHealth {
  key: IntegrationKey;
  configured: boolean;
  enabled: boolean;
  lastTest: { at: string; ok: boolean; error: string | null } | null;
  lastEventAt: string | null;
  events: Window;
  /** Events stored in the window that are now `failed` (awaiting a retry) or `dead`. */
  processingFailures: Window;
  /** Requests refused for a missing/invalid signature or a stale timestamp. */
  signatureFailures: Window;
  awaitingRetry: number;
  deadLettered: number;
  /** The oldest event still waiting to be applied (received or failed), when there is one. */
  oldestUnprocessedAt: string | null;
  /**
   * One word for the dashboard: `not_configured`, `disabled`, `error` (dead-lettered events, or the last
   * connection test failed), `warning` (events awaiting a retry, or signature failures in the last 24 h), `ok`.
   */
  status: "not_configured" | "disabled" | "error" | "warning" | "ok";
}

/** The dashboard's one word for an integration (see IntegrationHealth.status). */
export function integrationStatus(health: Omit<IntegrationHealth, "status">): IntegrationHealth["status"] {
  if (!health.configured) return "not_configured";
  if (!health.enabled) return "disabled";
  if (health.deadLettered > 0 || health.lastTest?.ok === false) return "error";
  if (health.awaitingRetry > 0 || health.signatureFailures.last24h > 0) return "warning";
  return "ok";
}
