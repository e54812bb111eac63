import { afterEach, describe, expect, it, vi } from "vitest";
import { createLogger, silentLogger } from "./logger.ts";

function capture() {
  const lines: string[] = [];
  return { lines, parsed: () => lines.map((line) => JSON.parse(line) as Record<string, unknown>), sink: (line: string) => lines.push(line) };
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe("createLogger", () => {
  it("writes one JSON line per call with level, msg, time and fields", () => {
    const out = capture();
    const log = createLogger({ fn: "stripe-webhook" }, out.sink);
    log.info("event stored", { eventId: "evt_1", tenantId: "t1" });
    log.warn("slow", { durationMs: 1200 });
    log.error("failed\nover two lines", { code: "ERR_X" });

    expect(out.lines).toHaveLength(3);
    for (const line of out.lines) expect(line).not.toContain("\n");
    const [info, warn, error] = out.parsed();
    expect(info).toMatchObject({ level: "info", msg: "event stored", fn: "stripe-webhook", eventId: "evt_1", tenantId: "t1" });
    expect(warn).toMatchObject({ level: "warn", msg: "slow", durationMs: 1200 });
    expect(error).toMatchObject({ level: "error", msg: "failed\nover two lines", code: "ERR_X" });
    expect(new Date(info!.time as string).toISOString()).toBe(info!.time);
  });

  it("merges a child's fields into every line, without changing the parent", () => {
    const out = capture();
    const parent = createLogger({ fn: "stripe-webhook" }, out.sink);
    const child = parent.child({ requestId: "req-12345678" }).child({ tenantId: "t1" });
    child.info("stored", { eventId: "evt_1" });
    parent.info("parent line");

    const [fromChild, fromParent] = out.parsed();
    expect(fromChild).toMatchObject({ fn: "stripe-webhook", requestId: "req-12345678", tenantId: "t1", eventId: "evt_1" });
    expect(fromParent).not.toHaveProperty("requestId");
    expect(fromParent).not.toHaveProperty("tenantId");
  });

  it("lets call fields override the logger's, and child fields override the parent's", () => {
    const out = capture();
    const log = createLogger({ fn: "a", source: "stripe" }, out.sink).child({ source: "zoom" });
    log.info("m", { fn: "b" });
    expect(out.parsed()[0]).toMatchObject({ fn: "b", source: "zoom" });
  });

  it("writes to console.log by default", () => {
    const spy = vi.spyOn(console, "log").mockImplementation(() => {});
    createLogger({ fn: "x" }).info("hello");
    expect(spy).toHaveBeenCalledTimes(1);
    expect(JSON.parse(spy.mock.calls[0]![0] as string)).toMatchObject({ level: "info", msg: "hello", fn: "x" });
  });

  it("silentLogger writes nothing, even through a child", () => {
    const spy = vi.spyOn(console, "log").mockImplementation(() => {});
    silentLogger.info("nothing");
    silentLogger.child({ fn: "x" }).error("nothing");
    expect(spy).not.toHaveBeenCalled();
  });
});
