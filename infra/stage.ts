// The stage (one copy of every stack) a branch deploys to. Stage names end up in stack names and, through
// them, in generated resource names that AWS caps at 63–64 characters, so they are short, lower-case and
// start with a letter. `main` is production; every other branch has its own stage, which a pull request from
// that branch previews on (there is no per-pull-request stage); `preview-shared` holds the one database
// cluster every branch stage of an account shares (infra/shared-database.ts).
import { createHash } from "node:crypto";

export const PRODUCTION_STAGE = "production";
export const PRODUCTION_BRANCH = "main";
/** The long-lived stage holding the preview database cluster; deployed once per account and region. */
export const SHARED_DATABASE_STAGE = "preview-shared";
/** Leaves room for `-ips-integrations-ScheduledJobs` and CloudFormation's suffixes within AWS name limits. */
export const MAX_STAGE_LENGTH = 24;

/** Names a branch may not take: the stages that are not a branch's. */
const RESERVED = new Set([PRODUCTION_STAGE, SHARED_DATABASE_STAGE]);

function sanitize(branch: string): string {
  return branch
    .replace(/^refs\/heads\//, "")
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "");
}

/**
 * The stage for a branch: `production` for `main`, else the branch name sanitized and capped. A capped name
 * keeps a hash of the whole branch name, so two long branches sharing a prefix never share a stage; a branch
 * can never take `production` or `preview-shared`.
 * @example stageName({ branch: "feature/Stripe refunds" }) // "feature-stripe-refunds"
 */
export function stageName(source: { branch: string }): string {
  const ref = source.branch.trim();
  if (ref.replace(/^refs\/heads\//, "") === PRODUCTION_BRANCH) return PRODUCTION_STAGE;
  let stage = sanitize(ref);
  if (!stage) throw new Error(`branch "${source.branch}" has no letters or digits to name a stage after`);
  if (!/^[a-z]/.test(stage) || RESERVED.has(stage)) stage = `br-${stage}`;
  if (stage.length <= MAX_STAGE_LENGTH) return stage;
  const hash = createHash("sha256").update(ref).digest("hex").slice(0, 6);
  return `${stage.slice(0, MAX_STAGE_LENGTH - hash.length - 1).replace(/-+$/, "")}-${hash}`;
}
