import type { Context } from "../_shared/context.ts";
import { ProblemError } from "../_shared/http/problem-error.ts";
import type { Integration } from "../_shared/integrations/store.ts";
import { isUnknownZoomUser, ZoomApiError } from "../_shared/providers/zoom/errors.ts";
import { tenantZoomOf } from "../_shared/providers/zoom/tenant-zoom.ts";

/**
 * The host's ZAK (Zoom Access Key), which the Meeting SDK needs to start a meeting as its host (role 1):
 * `GET /v2/users/{hostEmail}/token?type=zak` → `{token}`, valid 2 h, scope `user:read:token:admin`
 * (developers.zoom.us/docs/meeting-sdk/auth/zak). `me` for meetings created before hosts were kept.
 * Asked with the school's Zoom `integration` the handler already loaded (for its SDK credentials).
 * Never stored nor logged. A host no longer in the school's Zoom account → 409 naming it.
 * @example const zak = await hostZak(ctx, integration, meeting.host_email);
 */
export async function hostZak(ctx: Context, integration: Integration, hostEmail: string | null): Promise<string> {
  const zoom = tenantZoomOf(ctx, integration);
  const host = hostEmail ?? "me";
  let answer: { token?: unknown } | undefined;
  try {
    answer = await zoom.client.request<{ token?: unknown }>("GET", `/v2/users/${encodeURIComponent(host)}/token?type=zak`);
  } catch (error) {
    if (!isUnknownZoomUser(error)) throw error;
    throw new ProblemError({
      status: 409, title: "The meeting's host is not a Zoom user", code: "ERR_ZOOM_UNKNOWN_HOST",
      detail: `the meeting's hostEmail ${host} is no longer a user of the school's Zoom account`,
    });
  }
  if (typeof answer?.token !== "string" || !answer.token) {
    // Zoom said yes but sent no key: its failure, answered like any other (zoomErrorProblem → 502).
    throw new ZoomApiError({ status: 200, stage: "api", code: "invalid_response", zoomMessage: "Zoom's ZAK answer has no token" });
  }
  return answer.token;
}
