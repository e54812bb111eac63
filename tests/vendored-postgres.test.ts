// functions/_shared/db/postgres-js/ is postgres.js as package.json pins it, with its two fixes, exactly
// as tools/patches/vendor-postgres.ts makes it: bumping postgres without re-vendoring (npm run vendor:postgres),
// or editing the copy by hand, fails here.
import { readdirSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { VENDOR_DIR, vendoredPostgres } from "../tools/patches/vendor-postgres.ts";

describe("vendored postgres.js", () => {
  const expected = vendoredPostgres();

  it("is what the vendoring script makes from the installed package, file for file", () => {
    expect(readdirSync(VENDOR_DIR).sort()).toEqual([...expected.keys()].sort());
    for (const [name, text] of expected) expect(readFileSync(`${VENDOR_DIR}${name}`, "utf8"), name).toBe(text);
  });

  it("carries the closed-socket and reserve fixes and imports Node's modules as node:…, which Deno resolves without node_modules", () => {
    const connection = expected.get("connection.js")!;
    expect(connection.match(/ips: closed-socket patch/g)).toHaveLength(3);
    expect(connection.match(/ips: reserve patch/g)).toHaveLength(1);
    for (const text of expected.values()) expect(text).not.toMatch(/^import .+ from '(?!node:|\.\/)/m);
  });
});
