import { describe, expect, it } from "vitest";
import { json, problem } from "./responses.ts";

describe("problem", () => {
  it("is an RFC 9457 problem+json response", async () => {
    const res = problem({ status: 401, title: "Signature verification failed", detail: "no v1 signature matches", code: "ERR_WEBHOOK_SIGNATURE" });
    expect(res.status).toBe(401);
    expect(res.headers.get("content-type")).toMatch(/^application\/problem\+json\b/);
    expect(await res.json()).toEqual({
      type: "about:blank",
      title: "Signature verification failed",
      status: 401,
      detail: "no v1 signature matches",
      code: "ERR_WEBHOOK_SIGNATURE",
    });
  });

  it("leaves out members that were not given", async () => {
    const body = await problem({ status: 404, title: "Not found" }).json();
    expect(body).toEqual({ type: "about:blank", title: "Not found", status: 404 });
  });

  it("carries field errors", async () => {
    const errors = { "credentials.secretKey": ["must start with sk_test_"] };
    expect(await problem({ status: 422, title: "Invalid configuration", errors }).json()).toMatchObject({ errors });
  });

  it("keeps extra headers but always sets its own content type", async () => {
    const res = problem({ status: 503, title: "Temporarily unavailable", headers: { "retry-after": "30", "content-type": "text/plain" } });
    expect(res.headers.get("retry-after")).toBe("30");
    expect(res.headers.get("content-type")).toMatch(/^application\/problem\+json/);
  });
});

describe("json", () => {
  it("serializes the body with a JSON content type, status 200 by default", async () => {
    const res = json({ received: true, name: "Zoë 🎓" });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^application\/json\b/);
    expect(await res.json()).toEqual({ received: true, name: "Zoë 🎓" });
  });

  it("keeps the given status and headers", async () => {
    const res = json({ id: "x" }, { status: 201, headers: { location: "/api/things/x" } });
    expect(res.status).toBe(201);
    expect(res.headers.get("location")).toBe("/api/things/x");
    expect(res.headers.get("content-type")).toMatch(/^application\/json/);
  });
});
