// The stage (one copy of every stack) a git ref deploys to. Stage names end up in stack names and, through
// them, in generated resource names that AWS caps at 63–64 characters, so they are short, lower-case and
// start with a letter. `main` is production; a pull request gets its own `pr-<n>` stage.
import { createHash } from "node:crypto";

export const PRODUCTION_STAGE = "production";
export const PRODUCTION_BRANCH = "main";
/** Leaves room for `-ips-integrations-ScheduledJobs` and CloudFormation's suffixes within AWS name limits. */
export const MAX_STAGE_LENGTH = 24;

export type StageSource = { branch: string } | { pullRequest: number };

function sanitize(branch: string): string {
  return branch
    .replace(/^refs\/heads\//, "")
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "");
}

/**
 * The stage for a branch or a pull request: `production` for `main`, `pr-<n>` for pull request n, else the
 * branch name sanitized and capped. A capped name keeps a hash of the whole branch name, so two long
 * branches sharing a prefix never share a stage; a branch can never take `production` or a PR's stage.
 * @example stageName({ branch: "feature/Stripe refunds" }) // "feature-stripe-refunds"
 * @example stageName({ pullRequest: 42 }) // "pr-42"
 */
export function stageName(source: StageSource): string {
  if ("pullRequest" in source) {
    if (!Number.isInteger(source.pullRequest) || source.pullRequest < 1) {
      throw new Error(`pull request number must be a positive integer, got ${source.pullRequest}`);
    }
    return `pr-${source.pullRequest}`;
  }
  const ref = source.branch.trim();
  if (ref.replace(/^refs\/heads\//, "") === PRODUCTION_BRANCH) return PRODUCTION_STAGE;
  let stage = sanitize(ref);
  if (!stage) throw new Error(`branch "${source.branch}" has no letters or digits to name a stage after`);
  if (!/^[a-z]/.test(stage) || stage === PRODUCTION_STAGE || /^pr-\d+$/.test(stage)) stage = `br-${stage}`;
  if (stage.length <= MAX_STAGE_LENGTH) return stage;
  const hash = createHash("sha256").update(ref).digest("hex").slice(0, 6);
  return `${stage.slice(0, MAX_STAGE_LENGTH - hash.length - 1).replace(/-+$/, "")}-${hash}`;
}
