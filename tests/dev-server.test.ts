// `npm run dev` as a newcomer runs it: no DATABASE_URL, no secrets set. It must serve on embedded PGlite,
// print a working admin token, and stop cleanly on Ctrl-C.
import { spawn } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect, it } from "vitest";

it("starts on PGlite with generated dev secrets, serves the admin API, and exits 0 on SIGINT", async () => {
  const dataDir = await mkdtemp(join(tmpdir(), "ips-dev-"));
  const port = 20_000 + Math.floor(Math.random() * 20_000);
  const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, HOME: process.env.HOME, DATA_DIR: dataDir, PORT: String(port) };
  const child = spawn(process.execPath, ["--import", "tsx", "functions/runtimes/node/dev.ts"], { env, stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  child.stdout.on("data", (chunk) => (output += chunk));
  child.stderr.on("data", (chunk) => (output += chunk));
  const exited = new Promise<number | null>((resolve) => child.on("exit", resolve));
  try {
    const deadline = Date.now() + 45_000;
    while (!/admin token[^\n]*\n\s+(\S+)/.test(output) && Date.now() < deadline && child.exitCode === null) {
      await new Promise((r) => setTimeout(r, 200));
    }
    const token = /admin token[^\n]*\n\s+(\S+)/.exec(output)?.[1];
    expect(token, output).toBeTruthy();
    expect(output).toContain("embedded PGlite");
    expect(output).toContain("POST   /api/webhooks/stripe/{tenantId}");

    const response = await fetch(`http://127.0.0.1:${port}/api/admin/integrations`, { headers: { authorization: `Bearer ${token}` } });
    expect(response.status).toBe(200);
    const { integrations } = await response.json();
    expect(integrations.map((i: { key: string }) => i.key)).toEqual(["stripe", "docusign", "zoom", "sendgrid"]);

    // The printed service_role key runs a job by hand (nothing is due on a fresh database).
    const serviceRole = /Authorization: Bearer (\S+)" \S+\/api\/jobs\//.exec(output)?.[1];
    expect(serviceRole, output).toBeTruthy();
    const job = await fetch(`http://127.0.0.1:${port}/api/jobs/webhook-retry`, { method: "POST", headers: { authorization: `Bearer ${serviceRole}` } });
    expect(job.status).toBe(200);

    child.kill("SIGINT");
    expect(await exited).toBe(0);
  } finally {
    if (child.exitCode === null) child.kill("SIGKILL");
    await rm(dataDir, { recursive: true, force: true });
  }
}, 90_000);
