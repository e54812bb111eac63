// zoom-sdk-signature: POST /api/zoom/sdk-signature {meetingNumber, role, expirationSeconds?}
// A signed-in user of a school gets the signature the Zoom Meeting SDK needs to join one of the school's
// meetings in the browser: role 0 (attendee) for anyone of the tenant, role 1 (host) for its admins only.
// Signed with the school's SDK secret, which never leaves the server.
import * as z from "zod";
import { ProblemError } from "../_shared/http/problem-error.ts";
import { readJsonBody } from "../_shared/http/json-body.ts";
import { json } from "../_shared/http/responses.ts";
import { userHandler } from "../_shared/http/user-handler.ts";
import { fieldErrors } from "../_shared/http/validation.ts";
import { enabledZoomIntegration } from "../_shared/providers/zoom/tenant-zoom.ts";
import { SDK_SIGNATURE_LIFETIME, signMeetingSdk } from "./sdk-signature.ts";

const Body = z.strictObject({
  // Zoom meeting numbers are 9 to 11 digits; sent as a number or a string, as the SDK samples do.
  meetingNumber: z.union([z.string().regex(/^\d{9,12}$/), z.number().int().min(100_000_000).max(999_999_999_999)], "must be a Zoom meeting number (9 to 12 digits)")
    .transform(String),
  role: z.union([z.literal(0), z.literal(1)], "must be 0 (attendee) or 1 (host)"),
  expirationSeconds: z.number("must be a number of seconds").int("must be whole seconds")
    .min(SDK_SIGNATURE_LIFETIME.min, `must be at least ${SDK_SIGNATURE_LIFETIME.min} (30 minutes)`)
    .max(SDK_SIGNATURE_LIFETIME.max, `must be at most ${SDK_SIGNATURE_LIFETIME.max} (48 hours)`).optional(),
});

export const handler = userHandler("zoom-sdk-signature", async (req, ctx, user) => {
  if (req.method !== "POST") throw new ProblemError({ status: 405, title: "Method not allowed", headers: { allow: "POST" } });
  const parsed = Body.safeParse(await readJsonBody(req));
  if (!parsed.success) throw new ProblemError({ status: 400, title: "Invalid SDK signature request", errors: fieldErrors(parsed.error) });
  const { meetingNumber, role, expirationSeconds } = parsed.data;
  if (role === 1 && user.role !== "admin") {
    throw new ProblemError({ status: 403, title: "Forbidden", code: "ERR_ZOOM_HOST_ROLE", detail: "only an admin of the school may join as host (role 1)" });
  }

  const integration = await enabledZoomIntegration(ctx, user.tenantId);
  const { sdkKey, sdkSecret } = integration.credentials;
  if (typeof sdkKey !== "string" || !sdkKey || typeof sdkSecret !== "string" || !sdkSecret) {
    throw new ProblemError({
      status: 409, title: "Zoom is not set up", code: "ERR_ZOOM_NO_SDK_CREDENTIALS",
      detail: "this school's Zoom integration has no Meeting SDK key and secret",
    });
  }
  // Only the school's own classes: the school's SDK app is not a way into any Zoom meeting anywhere.
  const [meeting] = await ctx.db.query<{ id: string }>(
    "select id from meetings where tenant_id = $1 and zoom_meeting_id = $2::bigint and status <> 'deleted'", [user.tenantId, meetingNumber],
  );
  if (!meeting) throw new ProblemError({ status: 404, title: "Meeting not found", code: "ERR_MEETING_NOT_FOUND", detail: "no meeting of this school has that number" });

  const { signature, expiresAt } = await signMeetingSdk({
    sdkKey, sdkSecret, meetingNumber, role, nowSeconds: Math.floor(ctx.now() / 1000),
    ...(expirationSeconds !== undefined ? { lifetimeSeconds: expirationSeconds } : {}),
  });
  ctx.log.info("zoom sdk signature issued", { meetingId: meeting.id, role });
  return json({ signature, sdkKey, meetingNumber, role, expiresAt: new Date(expiresAt * 1000).toISOString() });
});
