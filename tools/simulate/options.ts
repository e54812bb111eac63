import { parseArgs } from "node:util";

export const USAGE = `usage: npm run simulate -- <provider> <event> [options]
       npm run simulate -- <provider> --list

Builds a realistic <provider> event, signs it exactly as the provider does, POSTs it and prints the answer.
providers: stripe, docusign, zoom, sendgrid

  --tenant ID        the tenant's webhook URL (/api/webhooks/<provider>/<ID>); without it the single-school
                     URL /api/webhooks/<provider>
  --url URL          the server (default http://localhost:3000): a base URL, or a full endpoint URL when it
                     has a path (e.g. https://<ref>.supabase.co/functions/v1/stripe-webhook/<tenantId>)
  --secret S         Stripe webhookSecret (whsec_…), a DocuSign HMAC key or the Zoom secret token — the same
                     value saved in the tenant's integration (or SIMULATE_SECRET)
  --private-key FILE SendGrid: the ECDSA P-256 key (PKCS#8 PEM) to sign with; default .data/simulate/
                     sendgrid-event-webhook-key.pem, generated on first use. Its public key is printed.
  --enrollment ID    our enrollment the event is about (Stripe metadata, DocuSign custom field)
  --amount N         amount in minor units (cents), Stripe
  --object ID        the provider's object: payment intent (pi_…), envelope id, meeting id, SendGrid message id
  --event-id ID      Stripe: reuse an event id (a redelivery; answered as a duplicate)
  --arg KEY=VALUE    SendGrid custom_args on the event (repeatable)
  --timestamp S      sign as of this unix time (e.g. an hour ago, to see a 401)
  --repeat N         send the same event N times, as a provider retrying (default 1)
  --dry-run          print the request (headers, body) without sending it
  --list             list the events this provider has realistic bodies for`;

export interface SimulateOptions {
  provider: string;
  event: string | undefined;
  tenant: string | undefined;
  url: string | undefined;
  secret: string | undefined;
  privateKeyPath: string | undefined;
  enrollmentId: string | undefined;
  amount: number | undefined;
  objectId: string | undefined;
  eventId: string | undefined;
  customArgs: Record<string, string>;
  timestamp: number | undefined;
  repeat: number;
  dryRun: boolean;
  list: boolean;
}

/** A command line the simulator cannot run, with the reason. */
export class UsageError extends Error {
  override name = "UsageError";
}

function integer(name: string, value: string | undefined, min: number): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value) || Number(value) < min) throw new UsageError(`--${name} must be a whole number ≥ ${min}, got "${value}"`);
  return Number(value);
}

/** Parses `npm run simulate -- …` arguments; throws UsageError with the reason. */
export function parseSimulateArgs(argv: readonly string[]): SimulateOptions {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      allowPositionals: true,
      strict: true,
      options: {
        tenant: { type: "string" }, url: { type: "string" }, secret: { type: "string" }, "private-key": { type: "string" },
        enrollment: { type: "string" }, amount: { type: "string" }, object: { type: "string" }, "event-id": { type: "string" },
        arg: { type: "string", multiple: true }, timestamp: { type: "string" }, repeat: { type: "string" },
        "dry-run": { type: "boolean" }, list: { type: "boolean" }, help: { type: "boolean", short: "h" },
      },
    });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const { values, positionals } = parsed;
  if (values.help) throw new UsageError("");
  const [provider, event, ...extra] = positionals;
  if (!provider) throw new UsageError("name a provider");
  if (extra.length) throw new UsageError(`unexpected argument "${extra[0]}"`);
  if (!event && !values.list) throw new UsageError("name an event (or --list)");
  const customArgs: Record<string, string> = {};
  for (const pair of values.arg ?? []) {
    const eq = pair.indexOf("=");
    if (eq < 1) throw new UsageError(`--arg wants KEY=VALUE, got "${pair}"`);
    customArgs[pair.slice(0, eq)] = pair.slice(eq + 1);
  }
  if (values.url !== undefined && !/^https?:\/\//.test(values.url)) throw new UsageError(`--url must be an http(s) URL, got "${values.url}"`);
  return {
    provider,
    event,
    tenant: values.tenant,
    url: values.url,
    secret: values.secret,
    privateKeyPath: values["private-key"],
    enrollmentId: values.enrollment,
    amount: integer("amount", values.amount, 0),
    objectId: values.object,
    eventId: values["event-id"],
    customArgs,
    timestamp: integer("timestamp", values.timestamp, 1),
    repeat: integer("repeat", values.repeat, 1) ?? 1,
    dryRun: values["dry-run"] ?? false,
    list: values.list ?? false,
  };
}

/** Where the event goes: a full endpoint URL as given, or the provider's route on a base URL. */
export function endpointUrl(options: Pick<SimulateOptions, "provider" | "tenant" | "url">, defaultBase: string): string {
  const given = new URL(options.url ?? defaultBase);
  if (given.pathname !== "/" && given.pathname !== "") return given.toString();
  const path = `/api/webhooks/${options.provider}${options.tenant ? `/${encodeURIComponent(options.tenant)}` : ""}`;
  return new URL(path, given).toString();
}
