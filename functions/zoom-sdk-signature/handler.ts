// zoom-sdk-signature: POST /api/zoom/sdk-signature {meetingId, role, expirationSeconds?}
// A signed-in user of a school gets what the Zoom Meeting SDK needs to join one of the school's meetings in
// the browser: the signature, the SDK key, the meeting number and its passcode (opened from its sealed copy).
// Role 0 (attendee) for anyone of the tenant; role 1 (start as host) for its admins and for the `teacher`
// who hosts it (token `email` = the meeting's host_email), with the host's ZAK. Signed with the school's
// SDK secret, which never leaves the server.
import * as z from "zod";
import type { Principal } from "../_shared/auth/principal.ts";
import { openMeetingPasscode } from "../_shared/domain/meetings/passcode.ts";
import { ProblemError } from "../_shared/http/problem-error.ts";
import { readJsonBody } from "../_shared/http/json-body.ts";
import { json } from "../_shared/http/responses.ts";
import { userHandler } from "../_shared/http/user-handler.ts";
import { isUuid } from "../_shared/http/uuid.ts";
import { fieldErrors } from "../_shared/http/validation.ts";
import { zoomErrorProblem } from "../_shared/providers/zoom/error-problem.ts";
import { enabledZoomIntegration } from "../_shared/providers/zoom/tenant-zoom.ts";
import { hostZak } from "./host-zak.ts";
import { SDK_SIGNATURE_LIFETIME, signMeetingSdk } from "./sdk-signature.ts";

const Body = z.strictObject({
  meetingId: z.string("must be the id of one of the school's meetings").refine(isUuid, "must be the id of one of the school's meetings"),
  role: z.union([z.literal(0), z.literal(1)], "must be 0 (attendee) or 1 (host)"),
  expirationSeconds: z.number("must be a number of seconds").int("must be whole seconds")
    .min(SDK_SIGNATURE_LIFETIME.min, `must be at least ${SDK_SIGNATURE_LIFETIME.min} (30 minutes)`)
    .max(SDK_SIGNATURE_LIFETIME.max, `must be at most ${SDK_SIGNATURE_LIFETIME.max} (48 hours)`).optional(),
}, "a JSON object {meetingId, role} is required");

interface MeetingRow {
  [column: string]: unknown;
  id: string; zoom_meeting_id: string; host_email: string | null; passcode: unknown;
}

/** Admins start any meeting of their school; a teacher only those it hosts. */
const mayHost = (user: Principal, meeting: MeetingRow) =>
  user.role === "admin" || (user.role === "teacher" && !!user.email && user.email === meeting.host_email);

export const handler = userHandler("zoom-sdk-signature", async (req, ctx, user) => {
  if (req.method !== "POST") throw new ProblemError({ status: 405, title: "Method not allowed", headers: { allow: "POST" } });
  const parsed = Body.safeParse(await readJsonBody(req));
  if (!parsed.success) throw new ProblemError({ status: 400, title: "Invalid SDK signature request", errors: fieldErrors(parsed.error) });
  const { meetingId, role, expirationSeconds } = parsed.data;

  const integration = await enabledZoomIntegration(ctx, user.tenantId);
  const { sdkKey, sdkSecret } = integration.credentials;
  if (typeof sdkKey !== "string" || !sdkKey || typeof sdkSecret !== "string" || !sdkSecret) {
    throw new ProblemError({
      status: 409, title: "Zoom is not set up", code: "ERR_ZOOM_NO_SDK_CREDENTIALS",
      detail: "this school's Zoom integration has no Meeting SDK key and secret",
    });
  }
  // Only the school's own classes: the school's SDK app is not a way into any Zoom meeting anywhere.
  const [meeting] = await ctx.db.query<MeetingRow>(
    "select id, zoom_meeting_id::text, host_email, passcode from meetings where tenant_id = $1 and id = $2 and status <> 'deleted'",
    [user.tenantId, meetingId],
  );
  if (!meeting) throw new ProblemError({ status: 404, title: "Meeting not found", code: "ERR_MEETING_NOT_FOUND", detail: "no meeting of this school has that id" });
  if (role === 1 && !mayHost(user, meeting)) {
    throw new ProblemError({
      status: 403, title: "Forbidden", code: "ERR_ZOOM_HOST_ROLE",
      detail: "only an admin of the school or the meeting's host teacher may start it as host (role 1)",
    });
  }

  const password = await openMeetingPasscode(ctx.vault, user.tenantId, meeting.id, meeting.passcode);
  const zak = role === 1 ? await hostZak(ctx, integration, meeting.host_email) : undefined;
  const meetingNumber = meeting.zoom_meeting_id;
  const { signature, expiresAt } = await signMeetingSdk({
    sdkKey, sdkSecret, meetingNumber, role, nowSeconds: Math.floor(ctx.now() / 1000),
    ...(expirationSeconds !== undefined ? { lifetimeSeconds: expirationSeconds } : {}),
  });
  ctx.log.info("zoom sdk signature issued", { meetingId: meeting.id, role });
  return json({
    signature, sdkKey, meetingNumber, password, role, expiresAt: new Date(expiresAt * 1000).toISOString(), ...(zak ? { zak } : {}),
  }, { headers: { "cache-control": "no-store" } });
}, { errorProblems: [zoomErrorProblem] });
