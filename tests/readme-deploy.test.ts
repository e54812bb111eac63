// README → Deploy is a walkthrough a new user follows command by command, so its command blocks are checked
// against the repository: scripts exist, secrets are exactly those the stacks and the functions read, the
// Supabase functions are the ones config.toml declares, the Vault secrets are the ones the scheduling
// migration reads, the GitHub settings are the ones the workflows use, the steps come in a working order —
// and the blocks marked `# offline` are run as written.
import { execFile } from "node:child_process";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { FUNCTIONS } from "../functions/manifest.ts";
import { supabaseEnv } from "../functions/runtimes/deno/supabase-env.ts";
import { stageConfig } from "../infra/config.ts";
import { REPO_ROOT } from "../infra/paths.ts";
import { APP_SECRETS, OPTIONAL_SECRETS, secretName } from "../infra/secrets.ts";
import { PRODUCTION_STAGE, SHARED_DATABASE_STAGE, stageName } from "../infra/stage.ts";

const read = (path: string) => readFileSync(join(REPO_ROOT, path), "utf8");
const readme = read("README.md");
const section = readme.slice(readme.indexOf("\n## Deploy\n")).replace(/\n## (?!Deploy)[\s\S]*$/, "");
const blocks = [...section.matchAll(/```sh\n([\s\S]*?)```/g)].map((m) => m[1]!);
/** Every command of every block, in order: continuation lines joined, trailing comments dropped. */
const commands = blocks
  .flatMap((block) => block.replace(/\\\n\s*/g, " ").split("\n"))
  .map((line) => line.replace(/\s+#\s.*$/, "").trim())
  .filter((line) => line && !line.startsWith("#"));
const all = (pattern: RegExp) => commands.filter((c) => pattern.test(c));
const indexOf = (pattern: RegExp) => commands.findIndex((c) => pattern.test(c));
const lastIndexOf = (pattern: RegExp) => commands.findLastIndex((c) => pattern.test(c));

describe("README → Deploy walkthrough", () => {
  it("has the walkthrough and its price basis: region, date, preview and production", () => {
    expect(blocks.length).toBeGreaterThan(8);
    expect(section).toMatch(/us-east-1/);
    expect(section).toMatch(/read on\s+\*\*\d{1,2} \w+ 20\d\d\*\*/);
    expect(section).toMatch(/\| *\| *preview[^|]*\| *production *\|/);
  });

  it("every `npm run` script exists in package.json", () => {
    const scripts = Object.keys((JSON.parse(read("package.json")) as { scripts: Record<string, string> }).scripts);
    const used = commands.flatMap((c) => [...c.matchAll(/\bnpm run ([\w:-]+)/g)].map((m) => m[1]!));
    expect(used.length).toBeGreaterThan(0);
    for (const script of used) expect(scripts, script).toContain(script);
  });

  describe("AWS", () => {
    const branchStage = stageName({ branch: "feature/walkthrough" });
    const prefixes = [stageConfig(PRODUCTION_STAGE, {}), stageConfig(branchStage, {})];
    const named = commands.flatMap((c) => [...c.matchAll(/aws secretsmanager (create-secret --name|put-secret-value --secret-id) (\S+)/g)])
      .map((m) => ({ created: m[1]!.startsWith("create"), id: m[2]! }));

    it("names only the secrets the stacks read, and creates every required one for production and the branch stages", () => {
      const expected = new Set(prefixes.flatMap((config) => APP_SECRETS.map((name) => secretName(config, name))));
      for (const { id } of named) expect([...expected], id).toContain(id);
      for (const config of prefixes) {
        for (const name of APP_SECRETS.filter((n) => !OPTIONAL_SECRETS.includes(n))) {
          expect(named.filter((s) => s.created).map((s) => s.id), `${config.stage}: ${name}`).toContain(secretName(config, name));
        }
      }
      // …and every secret a function reads (the manifest) is one of those the walkthrough names.
      const read = new Set(FUNCTIONS.flatMap((fn) => fn.secrets).filter((n) => n !== "DATABASE_URL"));
      for (const name of read) expect(named.map((s) => s.id.split("/").pop()), name).toContain(name);
      // The optional one is shown, as optional.
      for (const name of OPTIONAL_SECRETS) expect(section).toMatch(new RegExp(`\`(…/)?${name}\`[^.]*optional`));
    });

    it("creates the secrets before the first deploy, and the shared preview cluster before a branch stage", () => {
      const firstDeploy = indexOf(/sst deploy/);
      expect(firstDeploy).toBeGreaterThan(0);
      expect(lastIndexOf(/aws secretsmanager create-secret --name ips\/(production|preview)\/(ENCRYPTION_KEY|SUPABASE_JWT_SECRET) /)).toBeLessThan(firstDeploy);
      expect(indexOf(new RegExp(`sst deploy --stage ${SHARED_DATABASE_STAGE}$`))).toBeLessThan(indexOf(/sst deploy --stage "\$STAGE"/));
      for (const c of all(/npx sst (deploy|remove)/)) {
        expect(c).toMatch(new RegExp(`^npx sst (deploy|remove) --stage (${PRODUCTION_STAGE}|${SHARED_DATABASE_STAGE}|"\\$STAGE")$`));
      }
      expect(commands).toContain('npx sst remove --stage "$STAGE"');
      expect(all(/sst remove --stage (production|preview-shared)/)).toEqual([]);
    });
  });

  describe("Supabase", () => {
    const secretsSet = all(/^supabase secrets set /).flatMap((c) => [...c.matchAll(/\b([A-Z][A-Z0-9_]*)=/g)].map((m) => m[1]!));

    it("sets every secret the functions need under the name Supabase allows, and only names the config reads", () => {
      // The runtime reads JWT_SECRET as SUPABASE_JWT_SECRET (Supabase refuses SUPABASE_* names).
      expect(supabaseEnv({ JWT_SECRET: "x".repeat(32) }).SUPABASE_JWT_SECRET).toBe("x".repeat(32));
      const onSupabase = (name: string) => (name === "SUPABASE_JWT_SECRET" ? "JWT_SECRET" : name);
      const required = [...new Set(FUNCTIONS.flatMap((fn) => fn.secrets))].filter((n) => !(OPTIONAL_SECRETS as readonly string[]).includes(n)).map(onSupabase);
      for (const name of required) expect(secretsSet, name).toContain(name);
      const configNames = [...read("functions/_shared/config.ts").matchAll(/\b(?:optional\w*|required)\(env, "([A-Z_]+)"/g)].map((m) => onSupabase(m[1]!));
      for (const name of secretsSet) {
        expect([...configNames, "DATABASE_URL"], name).toContain(name);
        expect(name).not.toMatch(/^SUPABASE_/);
      }
      for (const name of OPTIONAL_SECRETS) expect(section).toContain(`supabase secrets set ${name}=`);
    });

    it("deploys exactly the functions supabase/config.toml declares (the manifest's)", () => {
      const deployed = all(/^supabase functions deploy /).map((c) => c.split(/\s+/)[3]!).sort();
      const declared = [...read("supabase/config.toml").matchAll(/^\[functions\.([a-z0-9-]+)\]/gm)].map((m) => m[1]!).sort();
      expect(deployed).toEqual(declared);
      expect(deployed).toEqual(FUNCTIONS.map((fn) => fn.slug).sort());
    });

    it("creates the Vault secrets the newest scheduling migration reads", () => {
      const dir = join(REPO_ROOT, "supabase", "migrations");
      const newest = readdirSync(dir).sort().filter((f) => readFileSync(join(dir, f), "utf8").includes("vault.")).pop();
      expect(newest).toBeDefined();
      const wanted = [...readFileSync(join(dir, newest!), "utf8").matchAll(/vault\.decrypted_secrets where name = '([^']+)'/g)].map((m) => m[1]!);
      const created = commands.flatMap((c) => [...c.matchAll(/vault\.create_secret\('[^']*', '([^']+)'\)/g)].map((m) => m[1]!));
      expect(new Set(created)).toEqual(new Set(wanted));
      expect(wanted.length).toBeGreaterThan(0);
    });

    it("links first, sets secrets, pushes the schema, then deploys the functions", () => {
      const link = indexOf(/^supabase link --project-ref /);
      expect(link).toBeGreaterThan(indexOf(/^supabase login/));
      expect(indexOf(/^supabase secrets set /)).toBeGreaterThan(link);
      expect(indexOf(/vault\.create_secret/)).toBeGreaterThan(link);
      expect(indexOf(/^supabase db push$/)).toBeGreaterThan(indexOf(/^supabase secrets set /));
      expect(indexOf(/^supabase functions deploy /)).toBeGreaterThan(indexOf(/^supabase db push$/));
    });
  });

  it("sets exactly the GitHub environments, variables and secrets the deploy workflow reads", () => {
    const workflow = read(".github/workflows/deploy.yml");
    const used = new Set([...workflow.matchAll(/\$\{\{\s*(secrets|vars)\.([A-Z0-9_]+)/g)].map((m) => `${m[1] === "vars" ? "variable" : "secret"} ${m[2]}`));
    const set = new Set(all(/^gh (secret|variable) set /).map((c) => c.split(/\s+/).slice(1, 4).filter((_, i) => i !== 1).join(" ")));
    expect(set).toEqual(used);
    const environments = new Set([...workflow.matchAll(/^\s+environment: (\w+)/gm)].map((m) => m[1]!));
    const created = new Set(all(/^gh api -X PUT "repos\/.*\/environments\//).map((c) => c.match(/environments\/(\w+)"/)![1]!));
    expect(created).toEqual(environments);
    expect(commands.find((c) => c.includes("environments/production"))).toMatch(/reviewers/);
  });

  it("the offline steps run as written: the stage's name and the templates of preview-shared and of the stage", async () => {
    const offline = blocks.filter((block) => block.startsWith("# offline"));
    expect(offline.length).toBeGreaterThan(0);
    const branch = "feature/readme-walkthrough";
    let output = "";
    for (const block of offline) {
      const { stdout } = await promisify(execFile)("bash", ["-euo", "pipefail", "-c", block], {
        cwd: REPO_ROOT, env: { ...process.env, BRANCH: branch }, maxBuffer: 16 * 1024 * 1024,
      });
      output += stdout;
    }
    const stage = stageName({ branch });
    expect(output).toContain(`cdk.out/${SHARED_DATABASE_STAGE}-ips-integrations-SharedDatabase.template.json`);
    expect(output).toContain(`synthesized stage "${stage}"`);
    const database = join(REPO_ROOT, "cdk.out", `${stage}-ips-integrations-Database.template.json`);
    expect(existsSync(database)).toBe(true);
    expect(readFileSync(database, "utf8")).toContain("Custom::StageDatabase");
  }, 600_000);
});
