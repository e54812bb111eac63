const RAW = Symbol("raw SQL");
// Marks a statement `sql` built itself. Not exported: nothing else can make one, so an object that merely looks
// like a statement (`{ text, values }` parsed from a request body) is always a parameter, never SQL.
const BUILT = Symbol("sql statement");

/** One SQL statement (or fragment) built by `sql`, with its parameters, numbered `$1…$n` in `text`. */
export interface Statement {
  readonly text: string;
  readonly values: readonly unknown[];
  readonly [BUILT]: true;
}

/** Trusted SQL text spliced in as-is (identifiers and keywords chosen in code, never input). */
export interface RawSql {
  readonly [RAW]: string;
}

/**
 * Marks constant SQL text (a column name picked in code) for splicing into `sql`.
 * @example sql`on conflict (tenant_id, ${raw(column)}) do nothing`
 */
export function raw(text: string): RawSql {
  return { [RAW]: text };
}

function isStatement(value: unknown): value is Statement {
  return typeof value === "object" && value !== null && Object.hasOwn(value, BUILT);
}

function isRaw(value: unknown): value is RawSql {
  return typeof value === "object" && value !== null && Object.hasOwn(value, RAW);
}

// Non-enumerable, so a statement still compares and prints as `{ text, values }`; frozen, so its text cannot be
// swapped after it was built. A copy (`{ ...statement }`) loses the mark and is a parameter again.
function built(text: string, values: unknown[]): Statement {
  const statement = { text, values };
  Object.defineProperty(statement, BUILT, { value: true, enumerable: false });
  return Object.freeze(statement) as unknown as Statement;
}

/**
 * Builds a parameterised statement: every interpolated value becomes a `$n` parameter; a `Statement` this
 * function built is spliced in with its parameters renumbered, so statements compose (a CTE around another),
 * and `raw()` text is spliced as-is. Any other object, however shaped, is a parameter.
 * @example const st = sql`select id from tenants where id = ${tenantId}`; await db.query(st.text, st.values);
 */
export function sql(strings: TemplateStringsArray, ...values: unknown[]): Statement {
  let text = strings[0]!;
  const params: unknown[] = [];
  values.forEach((value, i) => {
    if (isStatement(value)) {
      // Nothing to shift while no parameter precedes it (the leading statement a CTE chain grows from).
      const offset = params.length;
      text += offset === 0 ? value.text : value.text.replace(/\$(\d+)/g, (_, n: string) => `$${Number(n) + offset}`);
      params.push(...value.values);
    } else if (isRaw(value)) {
      text += value[RAW];
    } else {
      params.push(value);
      text += `$${params.length}`;
    }
    text += strings[i + 1]!;
  });
  return built(text, params);
}
