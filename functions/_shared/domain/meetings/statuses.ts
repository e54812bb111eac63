/**
 * Meeting statuses and their ranks. Within one occurrence of a meeting (one Zoom uuid) a status only
 * replaces one of lower rank, so a late `meeting.started` never overwrites `ended`; a later occurrence
 * (a new uuid, a newer event) starts over. `deleted` (by an admin) is final.
 */
export const MEETING_STATUS_RANK = {
  waiting: 0,
  started: 1,
  ended: 2,
  deleted: 3,
} as const;

export type MeetingStatus = keyof typeof MEETING_STATUS_RANK;

export const MEETING_STATUSES = Object.keys(MEETING_STATUS_RANK) as [MeetingStatus, ...MeetingStatus[]];
