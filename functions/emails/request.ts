import * as z from "zod";

/** Template data is small (names, a link): a cap keeps a runaway payload out of the outbox. */
export const MAX_DATA_JSON_BYTES = 16 * 1024;

/**
 * `POST /api/emails`: what the platform's own services may enqueue — account emails only (welcome,
 * password reset); payment and contract emails come from the webhooks, marketing from the school.
 */
export const enqueueRequestSchema = z.strictObject({
  tenantId: z.uuid("must be a tenant id (a UUID)"),
  kind: z.enum(["welcome", "password_reset"], "must be welcome or password_reset"),
  to: z.strictObject({
    email: z.email("must be an email address").max(320),
    name: z.string().trim().max(200).optional(),
  }),
  data: z.record(z.string(), z.unknown())
    .refine((data) => new TextEncoder().encode(JSON.stringify(data)).length <= MAX_DATA_JSON_BYTES, `must be at most ${MAX_DATA_JSON_BYTES} bytes of JSON`)
    .default({}),
  /**
   * What makes the email unique for its kind (a user id for `welcome`, a reset request id): the same key
   * again is answered with the first message and sends nothing more. Else the `Idempotency-Key` header.
   */
  dedupeKey: z.string().trim().min(1).max(200).optional(),
});

export type EnqueueRequest = z.infer<typeof enqueueRequestSchema>;
