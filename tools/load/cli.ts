// npm run load -- --events N --dupes F --concurrency C [--tenants T] [--pool P] [--seed S] [--keep]
// Proves "never lost, never applied twice" under load against the PostgreSQL at DATABASE_URL. Progress goes
// to stderr; stdout gets exactly one line. Exits 1 when anything was lost or duplicated.
import { parseArgs } from "node:util";
import { runLoad } from "./run-load.ts";

const USAGE = "usage: DATABASE_URL=postgres://… npm run load -- --events N --dupes F --concurrency C [--tenants T] [--pool P] [--seed S] [--keep]";

function fail(message: string): never {
  console.error(`load: ${message}\n${USAGE}`);
  process.exit(2);
}

function number(name: string, raw: string | undefined, fallback: number, check: (n: number) => boolean): number {
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (raw.trim() === "" || !Number.isFinite(value) || !check(value)) fail(`--${name} "${raw}" is out of range`);
  return value;
}

let values;
try {
  ({ values } = parseArgs({
    options: {
      events: { type: "string" }, dupes: { type: "string" }, concurrency: { type: "string" }, tenants: { type: "string" },
      pool: { type: "string" }, seed: { type: "string" }, keep: { type: "boolean" },
    },
  }));
} catch (error) {
  fail((error as Error).message);
}
const databaseUrl = process.env.DATABASE_URL;
if (!databaseUrl) fail("DATABASE_URL is not set: the load run needs a PostgreSQL (a fresh database is best)");
const isInteger = (min: number) => (n: number) => Number.isInteger(n) && n >= min;

const result = await runLoad({
  databaseUrl,
  events: number("events", values.events, 1_000, isInteger(1)),
  dupes: number("dupes", values.dupes, 0.3, (n) => n >= 0 && n <= 1),
  concurrency: number("concurrency", values.concurrency, 16, isInteger(1)),
  tenants: number("tenants", values.tenants, 8, isInteger(1)),
  pool: number("pool", values.pool, 10, isInteger(1)),
  seed: number("seed", values.seed, Date.now() % 2 ** 31, isInteger(0)),
  keep: values.keep ?? false,
  progress: (line) => console.error(`load: ${line}`),
});
console.log(result.line);
process.exit(result.ok ? 0 : 1);
