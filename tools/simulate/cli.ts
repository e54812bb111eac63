// npm run simulate -- <provider> <event> [--tenant ID] [--url URL] [--secret S] …
// A provider's webhook delivery from your own machine: a realistic event, signed exactly as the provider
// signs it, sent to the local dev server (or any deployed URL), and the answer printed. Instead of a tunnel
// from the provider's dashboard to localhost, for trying a tenant's setup end to end.
import { pathToFileURL } from "node:url";
import { endpointUrl, parseSimulateArgs, UsageError, USAGE, type SimulateOptions } from "./options.ts";
import type { SigningKey } from "./provider.ts";
import { SIMULATED_PROVIDERS } from "./providers.ts";
import { loadOrCreateSendGridKey } from "./sendgrid-key.ts";

export interface SimulateIo {
  out: (line: string) => void;
  err: (line: string) => void;
  env: Readonly<Record<string, string | undefined>>;
  fetch: typeof fetch;
  /** Unix milliseconds. */
  now: () => number;
}

const EXIT_OK = 0;
const EXIT_REJECTED = 1;
const EXIT_USAGE = 2;

async function signingKey(options: SimulateOptions, io: SimulateIo): Promise<SigningKey> {
  if (options.provider === "sendgrid") {
    const path = options.privateKeyPath ?? `${io.env.DATA_DIR ?? ".data"}/simulate/sendgrid-event-webhook-key.pem`;
    const key = await loadOrCreateSendGridKey(path);
    io.out(`SendGrid Event Webhook public key — paste it as the tenant's credentials.eventWebhookPublicKey:`);
    io.out(`  ${key.publicKey}`);
    io.out(key.generated ? `  (a new key pair; its private key is kept in ${path})` : `  (private key: ${path})`);
    return { privateKey: key.privateKey };
  }
  const secret = options.secret ?? io.env.SIMULATE_SECRET;
  if (!secret) {
    const what = { stripe: "the endpoint's signing secret (whsec_…)", docusign: "a Connect HMAC key", zoom: "the app's secret token" }[options.provider];
    throw new UsageError(`${options.provider} needs --secret: ${what}, the value saved in the tenant's integration`);
  }
  return { secret };
}

/** Runs the simulator; resolves to the exit code (0: every answer 2xx, 1: one was not, 2: bad usage or no answer). */
export async function runSimulate(argv: readonly string[], io: SimulateIo): Promise<number> {
  let options: SimulateOptions;
  try {
    options = parseSimulateArgs(argv);
  } catch (error) {
    if (error instanceof UsageError && error.message) io.err(`simulate: ${error.message}`);
    io.err(USAGE);
    return EXIT_USAGE;
  }
  const provider = SIMULATED_PROVIDERS[options.provider];
  if (!provider) {
    io.err(`simulate: unknown provider "${options.provider}" (one of ${Object.keys(SIMULATED_PROVIDERS).join(", ")})`);
    return EXIT_USAGE;
  }
  if (options.list || !options.event) {
    io.out(provider.events.join("\n"));
    return EXIT_OK;
  }
  if (!provider.acceptsOtherEvents && !provider.events.includes(options.event)) {
    io.err(`simulate: ${provider.key} has no event "${options.event}"; one of: ${provider.events.join(", ")}`);
    return EXIT_USAGE;
  }

  let key: SigningKey;
  try {
    key = await signingKey(options, io);
  } catch (error) {
    io.err(`simulate: ${(error as Error).message}`);
    return EXIT_USAGE;
  }
  const url = endpointUrl(options, `http://localhost:${io.env.PORT ?? 3000}`);
  const { body, describe } = provider.build(options.event, {
    now: io.now(),
    ...(options.eventId ? { eventId: options.eventId } : {}),
    ...(options.enrollmentId ? { enrollmentId: options.enrollmentId } : {}),
    ...(options.amount !== undefined ? { amount: options.amount } : {}),
    ...(options.objectId ? { objectId: options.objectId } : {}),
    customArgs: options.customArgs,
  });
  io.out(`${provider.key} ${describe}`);

  let exit = EXIT_OK;
  for (let delivery = 1; delivery <= options.repeat; delivery++) {
    // Signed at send time, as a provider does on every retry.
    const timestamp = options.timestamp ?? Math.floor(io.now() / 1000);
    const headers = provider.sign(body, key, timestamp);
    const label = options.repeat > 1 ? ` (delivery ${delivery} of ${options.repeat})` : "";
    io.out(`POST ${url}${label}`);
    if (options.dryRun) {
      for (const [name, value] of Object.entries(headers)) io.out(`${name}: ${value}`);
      io.out("");
      io.out(body);
      continue;
    }
    io.out(`signed: ${Object.keys(headers).filter((h) => /signature/i.test(h)).join(", ")} at ${timestamp}`);
    const started = performance.now();
    let response: Response;
    try {
      response = await io.fetch(url, { method: "POST", headers, body });
    } catch (error) {
      io.err(`simulate: no answer from ${url}: ${(error as Error).cause ? String((error as Error).cause) : (error as Error).message}`);
      return EXIT_USAGE;
    }
    const text = await response.text();
    io.out(`→ ${response.status} ${response.statusText} (${Math.round(performance.now() - started)} ms)`);
    io.out(text);
    if (!response.ok) exit = EXIT_REJECTED;
  }
  return exit;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  const code = await runSimulate(process.argv.slice(2), {
    out: (line) => console.log(line),
    err: (line) => console.error(line),
    env: process.env,
    fetch: globalThis.fetch,
    now: () => Date.now(),
  });
  process.exit(code);
}
