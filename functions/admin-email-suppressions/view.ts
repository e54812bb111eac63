import type { SuppressionRow } from "../_shared/domain/email/suppressions.ts";

/** A suppression as admins see it. */
export interface SuppressionView {
  email: string;
  /** The SendGrid event that put it there. */
  reason: string;
  /** `all`: no mail goes; `marketing`: transactional mail (payments, contracts, password resets) still goes. */
  scope: string;
  /** SendGrid's words for a bounce or drop. */
  detail: string | null;
  createdAt: string;
  updatedAt: string;
}

export function suppressionView(row: SuppressionRow): SuppressionView {
  return {
    email: row.email, reason: row.reason, scope: row.scope, detail: row.detail,
    createdAt: row.created_at.toISOString(), updatedAt: row.updated_at.toISOString(),
  };
}
