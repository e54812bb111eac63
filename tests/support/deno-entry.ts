import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";

/** The `deno` npm package's binary (TOOLCHAIN.md): the Deno 2 Supabase's edge runtime tracks. */
export const DENO = fileURLToPath(new URL("../../node_modules/.bin/deno", import.meta.url));

export interface RunningEntry {
  /** `http://127.0.0.1:<port>`, where its Deno.serve listens. */
  url: string;
  output: () => string;
  stop: () => Promise<void>;
}

/** The machine's own settings Deno needs to reach a registry (a proxy, a corporate CA), never the app's. */
const MACHINE_ENV = ["PATH", "HOME", "HTTPS_PROXY", "HTTP_PROXY", "NO_PROXY", "NODE_EXTRA_CA_CERTS", "SSL_CERT_FILE", "SSL_CERT_DIR", "DENO_CERT", "DENO_TLS_CA_STORE"];

/** The machine's settings from MACHINE_ENV that are set, for a Deno child process. */
export function machineEnv(): Record<string, string> {
  return Object.fromEntries(MACHINE_ENV.flatMap((name) => (process.env[name] === undefined ? [] : [[name, process.env[name]!]])));
}

/**
 * Runs a functions/<slug>/deno.ts entry as Supabase runs it — a Deno process configured only through its
 * environment, `env` exactly (plus the machine's settings) — on a free loopback port, and waits until it listens.
 * @example const entry = await startDenoEntry({ cwd, entry: "functions/stripe-webhook/deno.ts", env });
 */
export async function startDenoEntry(options: { cwd: string; entry: string; env: Record<string, string>; timeoutMs?: number }): Promise<RunningEntry> {
  const child = spawn(DENO, ["run", "--allow-env", "--allow-net", "--allow-read", options.entry], {
    cwd: options.cwd,
    env: {
      ...machineEnv(), DENO_NO_UPDATE_CHECK: "1", NO_COLOR: "1", DENO_SERVE_ADDRESS: "tcp:127.0.0.1:0", ...options.env,
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const url = await new Promise<string>((resolve) => {
    const timer = setTimeout(() => resolve(""), options.timeoutMs ?? 60_000);
    const collect = (chunk: Buffer) => {
      output += chunk.toString();
      const match = /Listening on (http:\/\/\S+?)\/?\s/.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]!);
      }
    };
    child.stdout.on("data", collect);
    child.stderr.on("data", collect);
    void exited.then(() => resolve(""));
  });
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGTERM");
    await exited;
  };
  if (!url) {
    await stop();
    throw new Error(`${options.entry} did not start listening:\n${output}`);
  }
  return { url, output: () => output, stop };
}
