// Row-level security of attendance and recordings (migration 20261202000200), as a client reaching the database
// directly with a user's JWT claims: a school's admins read its rows; members (students, guardians, teachers)
// read none — the rows belong to no enrollment; nobody reads another school's.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Db, DbPool } from "../../db/port.ts";
import { ADAPTERS, openTestDatabase } from "../../../../tests/support/database.ts";
import { asProbe, grantProbeRead } from "../../../../tests/support/rls.ts";
import { createTenant } from "../../../../tests/support/tenants.ts";
import { zoomMeetingNumber } from "../../../../tests/support/zoom.ts";

const TABLES = ["meeting_participants", "meeting_recordings"] as const;

async function meetingWithRows(db: Db, tenantId: string): Promise<string> {
  const [meeting] = await db.query<{ id: string }>(
    `insert into meetings (tenant_id, zoom_meeting_id, type, topic, auto_recording, join_url)
     values ($1, $2, 1, 'Office hours', 'none', 'https://us05web.zoom.us/j/1') returning id`, [tenantId, zoomMeetingNumber()]);
  await db.query(
    `insert into meeting_participants (tenant_id, meeting_id, meeting_uuid, participant_id, join_time) values ($1, $2, 'occ', '16778240', now())`,
    [tenantId, meeting!.id]);
  await db.query(
    `insert into meeting_recordings (tenant_id, meeting_id, meeting_uuid, file_id, file_type) values ($1, $2, 'occ', 'file-1', 'MP4')`,
    [tenantId, meeting!.id]);
  return meeting!.id;
}

describe.each(ADAPTERS)("row-level security of meeting attendance and recordings on %s", (adapter) => {
  let db: DbPool;
  let school: string;
  let mine: string;

  beforeAll(async () => {
    db = await openTestDatabase(adapter);
    await grantProbeRead(db, TABLES);
    school = await createTenant(db);
    mine = await meetingWithRows(db, school);
    await meetingWithRows(db, await createTenant(db));
  });
  afterAll(async () => {
    await db?.close();
  });

  const seen = (claims: Record<string, unknown> | null) => asProbe(db, claims, async (tx) => {
    const out: Record<string, string[]> = {};
    for (const table of TABLES) out[table] = (await tx.query<{ meeting_id: string }>(`select meeting_id from ${table}`)).map((r) => r.meeting_id);
    return out;
  });
  const user = (tenantId: string, role?: string) => ({ sub: crypto.randomUUID(), role: "authenticated", app_metadata: { tenant_id: tenantId, ...(role ? { role } : {}) } });

  it("an admin reads its school's rows only", async () => {
    expect(await seen(user(school, "admin"))).toEqual({ meeting_participants: [mine], meeting_recordings: [mine] });
  });

  it("a student, a guardian, a teacher and no claims read nothing", async () => {
    for (const claims of [user(school), user(school, "student"), user(school, "teacher"), null]) {
      expect(await seen(claims)).toEqual({ meeting_participants: [], meeting_recordings: [] });
    }
  });

  it("a child row cannot name another school's meeting", async () => {
    const other = await createTenant(db);
    await expect(db.query(
      `insert into meeting_participants (tenant_id, meeting_id, meeting_uuid, participant_id) values ($1, $2, 'occ', 'x')`, [other, mine],
    )).rejects.toThrow();
  });
});
