// postinstall: patches postgres.js 3.4.x so a connection that closes with a write still buffered neither
// crashes the process nor hangs the pool for good. Upstream: porsager/postgres#1154 and #1208 (fix proposed
// in #1209, not released as of 3.4.9). In connection.js, `closed()` and `terminate()` cancel the scheduled
// flush (`clearImmediate(nextWriteTimer)`) without clearing `nextWriteTimer`, so after the reconnect no
// write is ever flushed again and every query on that connection waits forever; and `nextWrite()` writes to
// a socket that may already be gone, throwing from a timer. tests/fault/database-outage.test.ts cuts the
// database under load and shows both without this patch. Idempotent; when the text it expects is not there
// (a newer postgres.js), it says so and changes nothing: re-run tests/fault to see whether it is still needed.
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "node_modules", "postgres");
const MARK = "/* ips: closed-socket patch */";
const CLEAR = "    clearImmediate(nextWriteTimer)\n";
const CLEARED = `    clearImmediate(nextWriteTimer)\n    chunk = nextWriteTimer = null ${MARK}\n`;
const WRITE = "  function nextWrite(fn) {\n    const x = socket.write(chunk, fn)\n";
const GUARDED = `  function nextWrite(fn) {
    if (!socket) { ${MARK}
      chunk = nextWriteTimer = null
      error(Errors.connection('CONNECTION_CLOSED', options))
      return false
    }
    const x = socket.write(chunk, fn)
`;

const results = [];
for (const variant of ["src", "cjs/src", "cf/src"]) {
  const file = join(root, variant, "connection.js");
  if (!existsSync(file)) continue;
  const text = readFileSync(file, "utf8");
  if (text.includes(MARK)) {
    results.push(`${variant}: already patched`);
    continue;
  }
  if (text.split(CLEAR).length !== 3 || !text.includes(WRITE)) {
    results.push(`${variant}: not patched (unexpected text: a different postgres.js version?)`);
    continue;
  }
  writeFileSync(file, text.replaceAll(CLEAR, CLEARED).replace(WRITE, GUARDED));
  results.push(`${variant}: patched`);
}
console.log(`postgres.js closed-socket patch: ${results.length ? results.join("; ") : "postgres not installed"}`);
