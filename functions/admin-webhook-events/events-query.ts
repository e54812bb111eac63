import * as z from "zod";
import { dateParam } from "../_shared/http/date-param.ts";
import { decodeCursor, type KeysetPosition } from "../_shared/http/keyset-cursor.ts";
import { fieldErrors } from "../_shared/http/validation.ts";
import { INTEGRATION_KEYS, type IntegrationKey } from "../_shared/integrations/catalog.ts";

export const EVENT_STATUSES = ["received", "processed", "failed", "dead"] as const;
export type EventStatus = (typeof EVENT_STATUSES)[number];

export const PAGE_LIMIT = { default: 50, max: 200 } as const;

export interface EventsQuery {
  source?: IntegrationKey;
  status?: EventStatus;
  /** An exact event type, or a prefix when it ends with `*` (`payment_intent.*`). */
  type?: { exact: string } | { prefix: string };
  /** Only events stored strictly before this instant. */
  before?: Date;
  after?: KeysetPosition;
  limit: number;
  includePayload: boolean;
}

const schema = z.strictObject({
  source: z.enum(INTEGRATION_KEYS, `must be one of ${INTEGRATION_KEYS.join(", ")}`).optional(),
  status: z.enum(EVENT_STATUSES, `must be one of ${EVENT_STATUSES.join(", ")}`).optional(),
  type: z.string().trim().min(1, "must not be empty").max(200).regex(/^[\w.:-]+\*?$/, "must be an event type, optionally ending with *").optional(),
  before: dateParam.optional(),
  cursor: z.string().refine((c) => decodeCursor(c) !== undefined, "is not a cursor this API returned").optional(),
  limit: z.string().regex(/^\d{1,4}$/, "must be a whole number").transform(Number)
    .refine((n) => n >= 1 && n <= PAGE_LIMIT.max, `must be between 1 and ${PAGE_LIMIT.max}`).optional(),
  payload: z.enum(["true", "false"], "must be true or false").optional(),
});

/**
 * Parses `?source=&status=&type=&before=&cursor=&limit=&payload=` of the events list. Unknown parameters
 * are refused like invalid ones, each under its own name.
 * @example const parsed = parseEventsQuery(new URL(req.url));
 */
export function parseEventsQuery(url: URL): { ok: true; query: EventsQuery } | { ok: false; errors: Record<string, string[]> } {
  const parsed = schema.safeParse(Object.fromEntries(url.searchParams));
  if (!parsed.success) return { ok: false, errors: fieldErrors(parsed.error) };
  const { source, status, type, before, cursor, limit, payload } = parsed.data;
  return {
    ok: true,
    query: {
      ...(source ? { source } : {}),
      ...(status ? { status } : {}),
      ...(type ? { type: type.endsWith("*") ? { prefix: type.slice(0, -1) } : { exact: type } } : {}),
      ...(before ? { before: before.at } : {}),
      ...(cursor ? { after: decodeCursor(cursor)! } : {}),
      limit: limit ?? PAGE_LIMIT.default,
      includePayload: payload === "true",
    },
  };
}
