// `npm run dev` as a newcomer runs it: no DATABASE_URL, no secrets set. It must serve on embedded PGlite,
// print a working admin token, and stop cleanly on Ctrl-C.
import { spawn } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { request } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startDevServer, type DevServer } from "../functions/runtimes/node/dev-server.ts";
import { REAL_DATABASE_URL } from "./support/database.ts";
import { captureLogs, TEST_ENCRYPTION_KEY, TEST_JWT_SECRET } from "./support/services.ts";

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
    const deadline = Date.now() + 80_000; // PGlite's first start is slow on a busy machine
    while (!/admin token[^\n]*\n\s+(\S+)/.test(output) && Date.now() < deadline && child.exitCode === null) {
      await new Promise((r) => setTimeout(r, 200));
    }
    const token = /admin token[^\n]*\n\s+(\S+)/.exec(output)?.[1];
    expect(token, output).toBeTruthy();
    expect(output).toContain("embedded PGlite");
    expect(output).toContain(`listening on 127.0.0.1:${port}`);
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
}, 120_000);

/** A GET with the Host header as given (`null`: none at all), the way a rebinding page's browser would send it. */
function getWithHost(address: string, port: number, path: string, host: string | null): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request({ host: address, port, path, setHost: false, headers: host === null ? {} : { host } }, (res) => {
      res.resume();
      resolve(res.statusCode!);
    });
    req.on("error", reject);
    req.end();
  });
}

describe("the dev server's address and the development sign-in's Host check", () => {
  let dataDir: string;
  let dev: DevServer;
  const start = (env: Record<string, string>, dir = dataDir) => startDevServer({
    env: { ENCRYPTION_KEY: TEST_ENCRYPTION_KEY, SUPABASE_JWT_SECRET: TEST_JWT_SECRET, ...(REAL_DATABASE_URL ? { DATABASE_URL: REAL_DATABASE_URL } : {}), ...env },
    dataDir: dir, port: 0, localTenantName: `Dev School ${crypto.randomUUID()}`, log: captureLogs().logger,
  });
  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), "ips-dev-host-"));
    dev = await start({});
  }, 60_000);
  afterAll(async () => {
    await dev?.stop();
    await rm(dataDir, { recursive: true, force: true });
  });

  it("listens on 127.0.0.1 when HOST is not set", () => {
    expect(dev.host).toBe("127.0.0.1");
  });

  it.each(["localhost", "127.0.0.1", "[::1]"])("answers the sign-in at Host %s, with or without the port", async (name) => {
    expect(await getWithHost("127.0.0.1", dev.port, "/api/dev/token", `${name}:${dev.port}`)).toBe(200);
    expect(await getWithHost("127.0.0.1", dev.port, "/api/dev/token", name)).toBe(200);
  });

  it.each([
    ["a rebound name", "attacker.example"],
    ["a rebound name with the port", "attacker.example:3000"],
    ["a name ending like localhost", "evil-localhost:3000"],
    ["a name starting like localhost", "localhost.attacker.example"],
    ["a name that resolves to 127.0.0.1", "127.0.0.1.nip.io"],
    ["another loopback address", "127.0.0.2"],
    ["the unspecified address", "0.0.0.0"],
  ])("refuses the sign-in (403) for %s", async (_, host) => {
    expect(await getWithHost("127.0.0.1", dev.port, "/api/dev/token", host)).toBe(403);
  });

  it("never reaches the sign-in without a Host or with one the server cannot read (400 from the server itself)", async () => {
    expect(await getWithHost("127.0.0.1", dev.port, "/api/dev/token", null)).toBe(400);
    expect(await getWithHost("127.0.0.1", dev.port, "/api/dev/token", "LOCALHOST:1")).toBe(400);
  });

  it("serves everything else whatever the Host (the admin API still needs a token)", async () => {
    expect(await getWithHost("127.0.0.1", dev.port, "/admin/auth-config.json", "attacker.example")).toBe(200);
    expect(await getWithHost("127.0.0.1", dev.port, "/api/admin/integrations", "attacker.example")).toBe(401);
  });

  it("listens where HOST says, and stops with one line naming HOST when it cannot listen there", async () => {
    const otherDir = await mkdtemp(join(tmpdir(), "ips-dev-host-"));
    try {
      // Linux routes all of 127/8 to the loopback interface: another address this machine has, exposing nothing.
      const elsewhere = await start({ HOST: "127.0.0.2" }, otherDir);
      try {
        expect(elsewhere.host).toBe("127.0.0.2");
        expect(await getWithHost("127.0.0.2", elsewhere.port, "/admin/auth-config.json", "localhost")).toBe(200);
        await expect(getWithHost("127.0.0.1", elsewhere.port, "/admin/auth-config.json", "localhost")).rejects.toMatchObject({ code: "ECONNREFUSED" });
      } finally {
        await elsewhere.stop();
      }
      // 192.0.2.1 is TEST-NET-1 (RFC 5737): no machine has it.
      await expect(start({ HOST: "192.0.2.1" }, otherDir)).rejects.toThrow(/^HOST does not work here: cannot listen on 192\.0\.2\.1:0 \(EADDRNOTAVAIL\)$/);
    } finally {
      await rm(otherDir, { recursive: true, force: true });
    }
  }, 60_000);
});
