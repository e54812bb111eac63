import * as z from "zod";

// What admins send to create or change a meeting (camelCase, like the rest of the API), validated here
// and turned into Zoom's body (developers.zoom.us: POST /users/{userId}/meetings, PATCH /meetings/{id}).

/** "is required" when absent, `message` when of the wrong kind. */
const expected = (message: string) => ({ error: (issue: { input: unknown }) => (issue.input === undefined ? "is required" : message) });

function isTimeZone(name: string): boolean {
  try {
    new Intl.DateTimeFormat("en-US", { timeZone: name });
    return true;
  } catch {
    return false;
  }
}

const int = (min: number, max: number, unit: string) =>
  z.number(expected(`must be a whole number of ${unit}`)).int(`must be a whole number of ${unit}`)
    .min(min, `must be at least ${min}`).max(max, `must be at most ${max}`);

export const AUTO_RECORDING = z.enum(["none", "local", "cloud"], expected("must be none, local or cloud"));
const topic = z.string(expected("must be text")).trim().min(1, "must not be empty").max(200, "must be at most 200 characters (Zoom's limit)");
const agenda = z.string(expected("must be text")).max(2000, "must be at most 2000 characters (Zoom's limit)");
const dateTime = z.iso.datetime({ offset: true, ...expected("must be an ISO 8601 date-time with an offset, e.g. 2026-12-01T15:00:00Z") });
const duration = int(1, 1440, "minutes (at most 1440, a day)");
const timezone = z.string(expected("must be an IANA time zone, e.g. America/New_York"))
  .refine(isTimeZone, "must be an IANA time zone, e.g. America/New_York");

const ends = { endTimes: int(1, 60, "occurrences").optional(), endDateTime: dateTime.optional() };
const RECURRENCE = z.discriminatedUnion("type", [
  z.strictObject({ type: z.literal("daily"), repeatInterval: int(1, 90, "days").default(1), ...ends }),
  z.strictObject({
    type: z.literal("weekly"),
    repeatInterval: int(1, 12, "weeks").default(1),
    // Zoom's days: 1 = Sunday … 7 = Saturday.
    weeklyDays: z.array(int(1, 7, "days (1 = Sunday … 7 = Saturday)"), expected("must be a list of days")).min(1, "must name at least one day"),
    ...ends,
  }),
  z.strictObject({
    type: z.literal("monthly"),
    repeatInterval: int(1, 3, "months").default(1),
    monthlyDay: int(1, 31, "days").optional(),
    monthlyWeek: z.union([z.literal(-1), z.literal(1), z.literal(2), z.literal(3), z.literal(4)], "must be -1 (last week) or 1 to 4").optional(),
    monthlyWeekDay: int(1, 7, "days (1 = Sunday … 7 = Saturday)").optional(),
    ...ends,
  }),
], { error: (issue) => (issue.input === undefined ? "is required" : issue.code === "invalid_union" ? "must be daily, weekly or monthly" : undefined) })
  .superRefine((r, ctx) => {
    if ((r.endTimes === undefined) === (r.endDateTime === undefined)) {
      ctx.addIssue({ code: "custom", path: ["endTimes"], message: "give exactly one of endTimes and endDateTime" });
    }
    if (r.type === "monthly") {
      const byWeek = r.monthlyWeek !== undefined && r.monthlyWeekDay !== undefined;
      const partlyByWeek = (r.monthlyWeek !== undefined) !== (r.monthlyWeekDay !== undefined);
      if (partlyByWeek || (r.monthlyDay !== undefined) === byWeek) {
        ctx.addIssue({ code: "custom", path: ["monthlyDay"], message: "give monthlyDay, or monthlyWeek and monthlyWeekDay" });
      }
    }
  });

export type Recurrence = z.infer<typeof RECURRENCE>;

/** The teacher's Zoom user the meeting is created under (its email; Zoom accepts an email as the user id). */
export const hostEmail = z.string(expected("must be the email of a user of the school's Zoom account")).trim().toLowerCase()
  .max(320, "must be at most 320 characters").pipe(z.email("must be the email of a user of the school's Zoom account"));

const common = { topic, agenda: agenda.optional(), autoRecording: AUTO_RECORDING.optional() };
const createOnly = { ...common, hostEmail: hostEmail.optional() };

/** POST /api/admin/zoom/meetings. */
export const CreateMeetingBody = z.discriminatedUnion("type", [
  z.strictObject({ type: z.literal("instant"), ...createOnly }),
  z.strictObject({ type: z.literal("scheduled"), ...createOnly, startTime: dateTime, duration, timezone }),
  z.strictObject({ type: z.literal("recurring"), ...createOnly, startTime: dateTime, duration, timezone, recurrence: RECURRENCE }),
], {
  error: (issue) => (issue.code === "invalid_union" ? "must be instant, scheduled or recurring"
    : issue.input === undefined ? "a JSON object describing the meeting is required" : undefined),
});

export type CreateMeeting = z.infer<typeof CreateMeetingBody>;

/** PATCH /api/admin/zoom/meetings/{id}: any of these (at least one: checked by the caller). */
export const UpdateMeetingBody = z.strictObject({
  topic: topic.optional(),
  agenda: agenda.optional(),
  startTime: dateTime.optional(),
  duration: duration.optional(),
  timezone: timezone.optional(),
  recurrence: RECURRENCE.optional(),
  autoRecording: AUTO_RECORDING.optional(),
}, expected("must be a JSON object"));

export type UpdateMeeting = z.infer<typeof UpdateMeetingBody>;

/** Zoom's meeting types. */
export const ZOOM_MEETING_TYPE = { instant: 1, scheduled: 2, recurring: 8 } as const;
export type MeetingKind = keyof typeof ZOOM_MEETING_TYPE;
export const meetingKindOf = (type: number): MeetingKind =>
  (Object.keys(ZOOM_MEETING_TYPE) as MeetingKind[]).find((kind) => ZOOM_MEETING_TYPE[kind] === type)!;

/** Zoom's `yyyy-MM-ddTHH:mm:ssZ` (UTC) for an ISO date-time with any offset. */
export const zoomTime = (iso: string) => new Date(iso).toISOString().replace(/\.\d{3}Z$/, "Z");

function zoomRecurrence(r: Recurrence): Record<string, unknown> {
  return {
    type: { daily: 1, weekly: 2, monthly: 3 }[r.type],
    repeat_interval: r.repeatInterval,
    ...(r.type === "weekly" ? { weekly_days: [...new Set(r.weeklyDays)].sort().join(",") } : {}),
    ...(r.type === "monthly" && r.monthlyDay !== undefined ? { monthly_day: r.monthlyDay } : {}),
    ...(r.type === "monthly" && r.monthlyWeek !== undefined ? { monthly_week: r.monthlyWeek, monthly_week_day: r.monthlyWeekDay } : {}),
    ...(r.endTimes !== undefined ? { end_times: r.endTimes } : {}),
    ...(r.endDateTime !== undefined ? { end_date_time: zoomTime(r.endDateTime) } : {}),
  };
}

/** Zoom's fields for the parts of a meeting both create and update may carry. */
function zoomFields(m: Partial<Omit<UpdateMeeting, "autoRecording">>): Record<string, unknown> {
  return {
    ...(m.topic !== undefined ? { topic: m.topic } : {}),
    ...(m.agenda !== undefined ? { agenda: m.agenda } : {}),
    ...(m.startTime !== undefined ? { start_time: zoomTime(m.startTime) } : {}),
    ...(m.duration !== undefined ? { duration: m.duration } : {}),
    ...(m.timezone !== undefined ? { timezone: m.timezone } : {}),
    ...(m.recurrence !== undefined ? { recurrence: zoomRecurrence(m.recurrence) } : {}),
  };
}

/** The body of `POST /v2/users/{hostEmail}/meetings`; `autoRecording` is the request's, else the school's setting. */
export function zoomCreateBody(meeting: CreateMeeting, autoRecording: string): Record<string, unknown> {
  return { type: ZOOM_MEETING_TYPE[meeting.type], ...zoomFields(meeting), settings: { auto_recording: autoRecording } };
}

/** The body of `PATCH /v2/meetings/{id}`. */
export function zoomUpdateBody(patch: UpdateMeeting): Record<string, unknown> {
  return { ...zoomFields(patch), ...(patch.autoRecording !== undefined ? { settings: { auto_recording: patch.autoRecording } } : {}) };
}

/** Fields of a change that the meeting's type does not have (an instant meeting has no time), with why. */
export function fieldsNotForType(kind: MeetingKind, patch: UpdateMeeting): Record<string, string[]> {
  const errors: Record<string, string[]> = {};
  if (kind === "instant") {
    for (const field of ["startTime", "duration", "timezone", "recurrence"] as const) {
      if (patch[field] !== undefined) errors[field] = ["an instant meeting has no schedule"];
    }
  } else if (kind === "scheduled" && patch.recurrence !== undefined) {
    errors.recurrence = ["only a recurring meeting has a recurrence"];
  }
  return errors;
}
