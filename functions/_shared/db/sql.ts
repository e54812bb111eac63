/** One SQL statement (or fragment) with its parameters, numbered `$1…$n` in `text`. */
export interface Statement {
  readonly text: string;
  readonly values: readonly unknown[];
}

const RAW = Symbol("raw SQL");

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
  return typeof value === "object" && value !== null && "text" in value && "values" in value && Array.isArray((value as Statement).values);
}

/**
 * Builds a parameterised statement: every interpolated value becomes a `$n` parameter; an interpolated
 * `Statement` is spliced in with its parameters renumbered, so statements compose (a CTE around another).
 * @example const st = sql`select id from tenants where id = ${tenantId}`; await db.query(st.text, st.values);
 */
export function sql(strings: TemplateStringsArray, ...values: unknown[]): Statement {
  let text = strings[0]!;
  const params: unknown[] = [];
  values.forEach((value, i) => {
    if (isStatement(value)) {
      text += value.text.replace(/\$(\d+)/g, (_, n: string) => `$${Number(n) + params.length}`);
      params.push(...value.values);
    } else if (typeof value === "object" && value !== null && RAW in value) {
      text += (value as RawSql)[RAW];
    } else {
      params.push(value);
      text += `$${params.length}`;
    }
    text += strings[i + 1]!;
  });
  return { text, values: params };
}
