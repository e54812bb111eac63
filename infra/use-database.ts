// How a stack gets the database: through this, never `use(Database)` alone. SST's `use` only hands over the
// Database stack's exports; CloudFormation orders two stacks only when one references the other, and with
// an external DATABASE_URL (a secret named, not created) nothing does — so a function stack could deploy,
// and new code go live, before the migration it needs had run. `dependsOn` makes the order explicit in every
// database mode: the Database stack (with its migrate Trigger) completes first.
import { dependsOn, use } from "sst/constructs";
import type { DatabaseAccess } from "./database-access.ts";
import { Database } from "./database.ts";

export function useDatabase(): DatabaseAccess {
  dependsOn(Database);
  return use(Database).database;
}
