// Writes functions/_shared/db/postgres-js/: postgres.js's ESM source (node_modules/postgres/src, the version
// package.json pins) with two fixes applied (closed socket; reserve without type fetch), loaded by every runtime
// through a relative import.
// A postinstall edit of node_modules reached Node only: Supabase's bundler never sees node_modules and Deno
// fetched the driver unpatched from the registry. Upstream: porsager/postgres#1154 and #1208 (fix proposed in
// #1209, not released as of 3.4.9). Re-run after bumping postgres: `npm run vendor:postgres`; when the text a
// fix expects is gone (a newer postgres.js) it stops — re-run tests/fault to see whether the fix is still needed.
// tests/vendored-postgres.test.ts fails while the committed copy differs from what this produces.
import { readdirSync, readFileSync, rmSync, mkdirSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

const SOURCE = fileURLToPath(new URL("../../node_modules/postgres/", import.meta.url));
export const VENDOR_DIR = fileURLToPath(new URL("../../functions/_shared/db/postgres-js/", import.meta.url));

// The same text the former postinstall wrote, so a node_modules it already patched yields the same copy.
const MARK = "/* ips: closed-socket patch */";
// In connection.js, `closed()` and `terminate()` cancel the scheduled flush without clearing `nextWriteTimer`,
// so after the reconnect no write is ever flushed again and every query on that connection waits forever…
const CLEAR = "    clearImmediate(nextWriteTimer)\n";
const CLEARED = `    clearImmediate(nextWriteTimer)\n    chunk = nextWriteTimer = null ${MARK}\n`;
// …and `nextWrite()` writes to a socket that may already be gone, throwing from a timer (the process ends).
const WRITE = "  function nextWrite(fn) {\n    const x = socket.write(chunk, fn)\n";
const GUARDED = `  function nextWrite(fn) {
    if (!socket) { ${MARK}
      chunk = nextWriteTimer = null
      error(Errors.connection('CONNECTION_CLOSED', options))
      return false
    }
    const x = socket.write(chunk, fn)
`;

// With `fetch_types: false` (createPostgresDb sets it: see there) a connection's first ReadyForQuery returns
// early when the query that opened it is a reserve(), so nothing hands it the connection and the transaction
// hangs (porsager/postgres#751, #1219). The fix proposed upstream (#1220, not released as of 3.4.9): fall
// through to the end of ReadyForQuery, as after the type fetch — onopen() resolves the waiting reserve, or,
// when the pool is ending meanwhile, the connection terminates (an early `return onopen()` would skip that
// and keep end() waiting for its timeout).
const RESERVE_MARK = "/* ips: reserve patch */";
const DROPPED_RESERVE = `      initial && !initial.reserve && execute(initial)
      options.shared.retries = retries = 0
      initial = null
      return
`;
const OPENED_RESERVE = `      const reserving = initial && initial.reserve ${RESERVE_MARK}
      initial && !initial.reserve && execute(initial)
      options.shared.retries = retries = 0
      initial = null
      if (!reserving)
        return
`;

/** Node globals the source uses, imported explicitly: Deno gives local (non-npm) modules none of them. */
const GLOBALS: [pattern: RegExp, importLine: string][] = [
  [/\bBuffer\b/, "import { Buffer } from 'node:buffer'"],
  [/\bprocess\./, "import process from 'node:process'"],
  [/\b(setImmediate|clearImmediate)\b/, "import { setImmediate, clearImmediate } from 'node:timers'"],
];

function fixClosedSocket(text: string): string {
  if (text.includes(MARK)) return text;
  if (text.split(CLEAR).length !== 3 || !text.includes(WRITE)) {
    throw new Error("postgres.js connection.js is not the text the closed-socket fix expects (a different version?)");
  }
  return text.replaceAll(CLEAR, CLEARED).replace(WRITE, GUARDED);
}

function fixReserveWithoutTypes(text: string): string {
  if (text.includes(RESERVE_MARK)) return text;
  if (text.split(DROPPED_RESERVE).length !== 2) {
    throw new Error("postgres.js connection.js is not the text the reserve fix expects (a different version?)");
  }
  return text.replace(DROPPED_RESERVE, OPENED_RESERVE);
}

/** The vendored files, name → text, made from the installed postgres package. */
export function vendoredPostgres(source = SOURCE): Map<string, string> {
  const { version } = JSON.parse(readFileSync(`${source}package.json`, "utf8")) as { version: string };
  const files = new Map<string, string>();
  for (const name of readdirSync(`${source}src`).filter((file) => file.endsWith(".js")).sort()) {
    let text = readFileSync(`${source}src/${name}`, "utf8").replace(/^(import .+ from )'(\w+)'$/gm, "$1'node:$2'");
    if (name === "connection.js") text = fixReserveWithoutTypes(fixClosedSocket(text));
    const imports = GLOBALS.filter(([pattern, line]) => pattern.test(text) && !text.includes(line)).map(([, line]) => line);
    const header = [
      ...(name === "index.js" ? ['// @ts-self-types="./index.d.ts"'] : []),
      `// postgres.js ${version} (Unlicense), src/${name}: vendored by tools/patches/vendor-postgres.ts — do not edit.`,
      ...imports,
    ];
    files.set(name, `${header.join("\n")}\n${text}`);
  }
  files.set("index.d.ts", [
    `// The types of postgres.js ${version}, from the package itself (tools/patches/vendor-postgres.ts).`,
    'import postgres from "postgres";',
    "export default postgres;",
    "",
  ].join("\n"));
  return files;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const files = vendoredPostgres();
  rmSync(VENDOR_DIR, { recursive: true, force: true });
  mkdirSync(VENDOR_DIR, { recursive: true });
  for (const [name, text] of files) writeFileSync(`${VENDOR_DIR}${name}`, text);
  console.log(`postgres.js vendored with the closed-socket and reserve fixes: ${[...files.keys()].join(", ")} → ${VENDOR_DIR}`);
}
