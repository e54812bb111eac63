import { describe, expect, it } from "vitest";
import { MAX_BODY_BYTES, PayloadTooLargeError, readBodyWithLimit } from "./body-limit.ts";

const URL_ = "http://localhost/api/webhooks/stripe";
const MIB = 1024 * 1024;

/** Bytes with a pattern, so a dropped or reordered chunk shows up. */
const patterned = (size: number) => Uint8Array.from({ length: size }, (_, i) => (i * 31 + 7) & 0xff);

function requestWithBody(body: Uint8Array, contentLength: string | null = String(body.byteLength)): Request {
  const headers = new Headers();
  if (contentLength !== null) headers.set("content-length", contentLength);
  return new Request(URL_, { method: "POST", body: body as BodyInit, headers });
}

/** A streamed body in chunks of `chunkSize`, with whatever Content-Length the sender claims (or none). */
function streamedRequest(body: Uint8Array, contentLength: string | null, chunkSize = 64 * 1024): Request {
  let offset = 0;
  const stream = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (offset >= body.byteLength) return controller.close();
      controller.enqueue(body.slice(offset, offset + chunkSize));
      offset += chunkSize;
    },
  });
  const headers = new Headers();
  if (contentLength !== null) headers.set("content-length", contentLength);
  return new Request(URL_, { method: "POST", body: stream, headers, duplex: "half" } as RequestInit);
}

const expectBytes = (actual: Uint8Array, expected: Uint8Array) => expect(Buffer.from(actual).equals(Buffer.from(expected))).toBe(true);

describe("readBodyWithLimit", () => {
  it("has a limit of 1 MiB", () => {
    expect(MAX_BODY_BYTES).toBe(MIB);
  });

  it("reads exactly 1 MiB with an honest Content-Length, byte for byte", async () => {
    const body = patterned(MIB);
    expectBytes(await readBodyWithLimit(requestWithBody(body)), body);
  });

  it("reads exactly 1 MiB streamed in chunks without a Content-Length", async () => {
    const body = patterned(MIB);
    expectBytes(await readBodyWithLimit(streamedRequest(body, null, 100_000)), body);
  });

  it("refuses 1 MiB + 1 with an honest Content-Length", async () => {
    await expect(readBodyWithLimit(requestWithBody(patterned(MIB + 1)))).rejects.toBeInstanceOf(PayloadTooLargeError);
  });

  it("refuses a declared Content-Length over the limit before reading the body", async () => {
    await expect(readBodyWithLimit(requestWithBody(patterned(10), String(MIB + 1)))).rejects.toBeInstanceOf(PayloadTooLargeError);
  });

  it("refuses 1 MiB + 1 streamed without a Content-Length", async () => {
    await expect(readBodyWithLimit(streamedRequest(patterned(MIB + 1), null))).rejects.toBeInstanceOf(PayloadTooLargeError);
  });

  it("refuses 1 MiB + 1 streamed under a Content-Length that lies", async () => {
    await expect(readBodyWithLimit(streamedRequest(patterned(MIB + 1), "100"))).rejects.toBeInstanceOf(PayloadTooLargeError);
  });

  it("stops reading an endless stream once past the limit and cancels it", async () => {
    let cancelled = false;
    let pulled = 0;
    const endless = new ReadableStream<Uint8Array>({
      pull(controller) {
        pulled += 64 * 1024;
        controller.enqueue(new Uint8Array(64 * 1024));
      },
      cancel() {
        cancelled = true;
      },
    });
    const req = new Request(URL_, { method: "POST", body: endless, duplex: "half" } as RequestInit);
    const error = await readBodyWithLimit(req).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PayloadTooLargeError);
    expect((error as PayloadTooLargeError).limit).toBe(MIB);
    expect(cancelled).toBe(true);
    expect(pulled).toBeLessThan(2 * MIB);
  });

  it("honours a smaller limit", async () => {
    expectBytes(await readBodyWithLimit(requestWithBody(patterned(16)), 16), patterned(16));
    await expect(readBodyWithLimit(requestWithBody(patterned(17)), 16)).rejects.toBeInstanceOf(PayloadTooLargeError);
  });

  it("returns no bytes for a request without a body", async () => {
    expect(await readBodyWithLimit(new Request(URL_, { method: "POST" }))).toHaveLength(0);
  });

  it("keeps bytes that are not UTF-8 as they were sent", async () => {
    const body = new Uint8Array([0x7b, 0xff, 0xfe, 0x00, 0xc3, 0x7d]);
    expectBytes(await readBodyWithLimit(requestWithBody(body)), body);
  });
});
