import * as z from "zod";
import type { Principal } from "../_shared/auth/principal.ts";
import type { Context } from "../_shared/context.ts";
import { listSuppressions } from "../_shared/domain/email/suppressions.ts";
import { decodeCursor, keysetPage, rowPosition } from "../_shared/http/keyset-cursor.ts";
import { json } from "../_shared/http/responses.ts";
import { fieldErrors, validationProblem } from "../_shared/http/validation.ts";
import { suppressionView } from "./view.ts";

const querySchema = z.strictObject({
  cursor: z.string().refine((c) => decodeCursor(c) !== undefined, "is not a cursor this API returned").optional(),
  limit: z.string().regex(/^\d{1,3}$/, "must be a whole number").transform(Number)
    .refine((n) => n >= 1 && n <= 200, "must be between 1 and 200").default(50),
});

/**
 * GET /api/admin/email-suppressions?cursor=&limit= — the tenant's suppressed addresses, newest first,
 * `nextCursor` to page (like the other admin lists).
 * @example GET /api/admin/email-suppressions?limit=100
 */
export async function listSuppressionsPage(req: Request, ctx: Context, admin: Principal): Promise<Response> {
  const parsed = querySchema.safeParse(Object.fromEntries(new URL(req.url).searchParams));
  if (!parsed.success) return validationProblem("Invalid query", fieldErrors(parsed.error));
  const { cursor, limit } = parsed.data;
  const after = cursor === undefined ? undefined : decodeCursor(cursor)!;
  const rows = await listSuppressions(ctx.db, admin.tenantId, { limit, ...(after ? { after } : {}) });
  const { page, nextCursor } = keysetPage(rows, limit, rowPosition);
  return json({ suppressions: page.map(suppressionView), nextCursor });
}
