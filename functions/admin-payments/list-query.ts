import * as z from "zod";
import { dateParam, endOf } from "../_shared/http/date-param.ts";
import { decodeCursor, type KeysetPosition } from "../_shared/http/keyset-cursor.ts";
import { fieldErrors } from "../_shared/http/validation.ts";

/** JSON pages stay small; a CSV export takes up to 10,000 rows per file (and says where to go on). */
export const PAGE_LIMITS = { json: { default: 50, max: 200 }, csv: { default: 10_000, max: 10_000 } } as const;

export interface ListQuery<S extends string> {
  status?: S;
  enrollmentId?: string;
  /** Inclusive. */
  from?: Date;
  /** Exclusive; a date-only `to` includes that whole day (UTC). */
  to?: Date;
  after?: KeysetPosition;
  limit: number;
  format: "json" | "csv";
}

/**
 * Parses `?status=&enrollmentId=&from=&to=&cursor=&limit=&format=` for a newest-first history whose status
 * is one of `statuses`. Unknown parameters are refused like invalid ones, each with its own message.
 * @example const query = parseListQuery(new URL(req.url), ["succeeded", "refunded"]);
 */
export function parseListQuery<S extends string>(
  url: URL, statuses: readonly [S, ...S[]],
): { ok: true; query: ListQuery<S> } | { ok: false; errors: Record<string, string[]> } {
  const schema = z.strictObject({
    status: z.enum(statuses as unknown as [S, ...S[]], `must be one of ${statuses.join(", ")}`).optional(),
    enrollmentId: z.uuid("must be an enrollment id (a UUID)").optional(),
    from: dateParam.optional(),
    to: dateParam.optional(),
    cursor: z.string().refine((c) => decodeCursor(c) !== undefined, "is not a cursor this API returned").optional(),
    limit: z.string().regex(/^\d{1,5}$/, "must be a whole number").transform(Number).optional(),
    format: z.enum(["json", "csv"], "must be json or csv").default("json"),
  });
  const parsed = schema.safeParse(Object.fromEntries(url.searchParams));
  if (!parsed.success) return { ok: false, errors: fieldErrors(parsed.error) };
  const { status, enrollmentId, from, to, cursor, limit, format } = parsed.data;

  const errors: Record<string, string[]> = {};
  const bounds = PAGE_LIMITS[format];
  if (limit !== undefined && (limit < 1 || limit > bounds.max)) errors.limit = [`must be between 1 and ${bounds.max}`];
  const fromDate = from?.at;
  const toDate = to === undefined ? undefined : endOf(to);
  if (fromDate && toDate && fromDate >= toDate) errors.to = ["must be after from"];
  if (Object.keys(errors).length) return { ok: false, errors };

  return {
    ok: true,
    query: {
      ...(status !== undefined ? { status } : {}),
      ...(enrollmentId !== undefined ? { enrollmentId: enrollmentId.toLowerCase() } : {}),
      ...(fromDate ? { from: fromDate } : {}),
      ...(toDate ? { to: toDate } : {}),
      ...(cursor !== undefined ? { after: decodeCursor(cursor)! } : {}),
      limit: limit ?? bounds.default,
      format,
    },
  };
}
