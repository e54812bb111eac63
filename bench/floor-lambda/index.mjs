// The cold-start floor: a Lambda that does nothing but one round trip to PostgreSQL (postgres.js, as ours,
// `select 1`) and answers 200 — no verification, no framework, no Web Request. Bundled and run exactly like
// ours and the reference (bench/cold-start.ts): whatever any Node handler that touches the database costs at
// the very least here (process start, a bundle import, a connection), so ours and the goal can be read against it.
import postgres from "../../functions/_shared/db/postgres-js/index.js";

const sql = postgres(process.env.DATABASE_URL, { max: 1, fetch_types: false });

export const handler = async () => {
  await sql`select 1`;
  return { statusCode: 200, body: "" };
};
