import * as z from "zod";

const DAY_MS = 86_400_000;
const DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/;

/**
 * The years a date filter may name. Below 1970 nothing was ever stored; from 9999 on, the end of a whole day
 * (or an offset) reaches year 10000, which JavaScript writes as `+010000-…` and PostgreSQL refuses (a 500).
 */
export const DATE_PARAM_YEARS = { min: 1970, max: 9998 } as const;

/** A date filter as the caller wrote it: the instant it names (a date: its first moment, UTC), and whether it named a whole day. */
export interface DateParam {
  at: Date;
  wholeDay: boolean;
}

/**
 * The one parser of every admin list's date filters (`from`, `to`, `before`): a date (`2026-01-31`, a UTC day)
 * or an ISO 8601 date-time with an offset, in the years 1970–9998. Anything else fails validation under the
 * parameter's own name, so the list answers 400 naming it.
 * @example z.strictObject({ from: dateParam.optional() }).safeParse({ from: "2026-01-31" })
 */
export const dateParam = z
  .union([z.iso.date(), z.iso.datetime({ offset: true })], "must be a date (2026-01-31) or an ISO 8601 date-time with offset")
  .refine((value) => {
    const year = Number(value.slice(0, 4));
    return year >= DATE_PARAM_YEARS.min && year <= DATE_PARAM_YEARS.max;
  }, `must be between ${DATE_PARAM_YEARS.min}-01-01 and ${DATE_PARAM_YEARS.max}-12-31`)
  .transform((value): DateParam => {
    const wholeDay = DATE_ONLY.test(value);
    return { at: new Date(wholeDay ? `${value}T00:00:00Z` : value), wholeDay };
  });

/**
 * Where an upper bound that includes the named day ends (exclusive): a date-only value takes in that whole
 * UTC day; a date-time is taken as written.
 * @example sql`created_at < ${endOf(query.to)}`
 */
export function endOf(param: DateParam): Date {
  return param.wholeDay ? new Date(param.at.getTime() + DAY_MS) : param.at;
}
