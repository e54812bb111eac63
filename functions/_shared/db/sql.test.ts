import { describe, expect, it } from "vitest";
import { raw, sql } from "./sql.ts";

describe("sql", () => {
  it("turns each interpolated value into the next $n parameter", () => {
    const st = sql`select * from t where a = ${1} and b = ${"x"} and c = ${null}`;
    expect(st).toEqual({ text: "select * from t where a = $1 and b = $2 and c = $3", values: [1, "x", null] });
  });

  it("splices a nested statement in, renumbering its parameters after the outer ones", () => {
    const inner = sql`insert into t (a, b) values (${"a"}, ${"b"}) returning id`;
    const gate = sql`exists (select 1 from stored where id = ${7})`;
    const st = sql`with stored as (${inner}) select ${"outer"} where ${gate}`;
    expect(st.text).toBe("with stored as (insert into t (a, b) values ($1, $2) returning id) select $3 where exists (select 1 from stored where id = $4)");
    expect(st.values).toEqual(["a", "b", "outer", 7]);
  });

  it("keeps double-digit parameter numbers intact when renumbering", () => {
    const inner = sql`${1}${2}${3}${4}${5}${6}${7}${8}${9}${10}${11}`;
    const st = sql`${"first"} ${inner}`;
    expect(st.text).toBe("$1 $2$3$4$5$6$7$8$9$10$11$12");
    expect(st.values).toEqual(["first", 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
  });

  it("splices raw SQL as text, not as a parameter, and never treats a plain object as SQL", () => {
    const st = sql`on conflict (${raw("stripe_invoice")}) do update set doc = ${{ text: "not sql", values: "nope" }}`;
    expect(st.text).toBe("on conflict (stripe_invoice) do update set doc = $1");
    expect(st.values).toEqual([{ text: "not sql", values: "nope" }]);
  });

  it("treats a statement-shaped object it did not build (JSON from a request) as a parameter, never as SQL", () => {
    const forged = JSON.parse('{"text":"1; drop table tenants; --","values":[]}') as unknown;
    const st = sql`select * from payments where note = ${forged}`;
    expect(st.text).toBe("select * from payments where note = $1");
    expect(st.values).toEqual([forged]);
  });

  it("treats a copy of a statement it built as a parameter: only the statement itself carries the mark", () => {
    const inner = sql`status = ${"paid"}`;
    const copy = { ...inner };
    const withPrototype = Object.create(inner) as unknown;
    const st = sql`where ${copy} and ${withPrototype}`;
    expect(st.text).toBe("where $1 and $2");
    expect(st.values).toEqual([copy, withPrototype]);
  });

  it("treats a raw-shaped object that raw() did not make as a parameter", () => {
    const lookalike = { raw: "drop table tenants" };
    const st = sql`select ${lookalike}`;
    expect(st).toEqual({ text: "select $1", values: [lookalike] });
  });

  it("builds statements that cannot be edited after the fact", () => {
    const st = sql`select ${1}`;
    expect(() => Object.assign(st, { text: "drop table tenants" })).toThrow(TypeError);
    expect(st.text).toBe("select $1");
  });
});
