import { readFile } from "node:fs/promises";

export type TomlValue = string | number | boolean;

/**
 * Reads `supabase/config.toml` into `{ "<table>": { key: value } }` (top-level keys under ""). Enough TOML for
 * this file: `[table.name]` headers, `key = "string" | true | false | number`, `#` comments. Anything else
 * throws, so a construct this reader does not know cannot slip past the tests silently.
 */
export async function readSupabaseConfig(file = new URL("../../supabase/config.toml", import.meta.url)): Promise<Record<string, Record<string, TomlValue>>> {
  const tables: Record<string, Record<string, TomlValue>> = { "": {} };
  let current = tables[""]!;
  for (const [index, raw] of (await readFile(file, "utf8")).split("\n").entries()) {
    const line = raw.replace(/\s+#.*$/, "").trim();
    if (!line || line.startsWith("#")) continue;
    const header = /^\[([\w.-]+)\]$/.exec(line);
    if (header) {
      if (tables[header[1]!]) throw new Error(`config.toml:${index + 1}: table [${header[1]}] defined twice`);
      current = tables[header[1]!] = {};
      continue;
    }
    const pair = /^([\w-]+)\s*=\s*(?:"([^"\\]*)"|(true|false)|(-?\d+(?:\.\d+)?))$/.exec(line);
    if (!pair) throw new Error(`config.toml:${index + 1}: not understood: ${raw}`);
    const [, key, string, boolean, number] = pair;
    if (key! in current) throw new Error(`config.toml:${index + 1}: ${key} set twice`);
    current[key!] = string ?? (boolean !== undefined ? boolean === "true" : Number(number));
  }
  return tables;
}
