import { migrate } from "../../functions/_shared/db/migrate.ts";
import { createPostgresDb } from "../../functions/_shared/db/postgres.ts";
import { loadMigrations } from "../../functions/runtimes/node/migrations.ts";
import { REAL_DATABASE_URL } from "./database.ts";

export default async function setup() {
  if (!REAL_DATABASE_URL) {
    console.log("tests: no DATABASE_URL/TEST_DATABASE_URL — database suites run on embedded PGlite only");
    return;
  }
  const db = createPostgresDb(REAL_DATABASE_URL, { max: 1 });
  try {
    await migrate(db, await loadMigrations());
  } finally {
    await db.close();
  }
}
