// Property tests of every webhook verifier (fast-check): hostile input only ever produces a
// WebhookVerificationError (never another exception, which a handler would turn into a 5xx), and every
// mutation of a valid signed request is rejected. FUZZ_RUNS cases per property (10,000 in CI).
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { WebhookVerificationError } from "../../functions/_shared/verify/errors.ts";
import { FUZZ_RUNS, SCHEMES, type SignedRequest } from "./schemes.ts";

/** "Rejected as a webhook": the only acceptable failure. Anything else fails the property with its error. */
async function expectRejected(verify: () => Promise<unknown>): Promise<void> {
  try {
    await verify();
  } catch (error) {
    if (error instanceof WebhookVerificationError) return;
    throw error;
  }
  throw new Error("accepted a request that must be rejected");
}

/** A header value as it could arrive: printable noise, near-miss shapes of real ones, or empty. */
const headerValue = fc.oneof(
  fc.string({ maxLength: 200 }),
  fc.string({ unit: "binary", maxLength: 80 }).map((s) => s.replace(/[\r\n\0]/g, "")),
  fc.tuple(fc.integer(), fc.string({ unit: fc.constantFrom(..."0123456789abcdef"), maxLength: 70 })).map(([t, hex]) => `t=${t},v1=${hex}`),
  fc.string({ unit: fc.constantFrom(..."0123456789abcdef"), maxLength: 70 }).map((hex) => `v0=${hex}`),
  fc.base64String({ maxLength: 100 }),
  fc.constant(""),
).map((v) => v.replace(/[^\t\x20-\x7e\x80-\xff]/g, ""));

describe.each(SCHEMES)("$name verifier under fuzzing", (scheme) => {
  it("accepts the valid request the suite starts from", async () => {
    await expect(scheme.verify(scheme.valid())).resolves.toBeDefined();
  });

  it(`rejects random bodies and headers with a verification error only (${FUZZ_RUNS} cases)`, async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.uint8Array({ maxLength: 2048 }),
        fc.array(fc.tuple(fc.constantFrom(...scheme.headerNames), headerValue), { maxLength: 3 }),
        async (body, headerPairs) => {
          const headers = new Headers();
          for (const [name, value] of headerPairs) headers.set(name, value);
          await expectRejected(() => scheme.verify({ body, headers }));
        },
      ),
      { numRuns: FUZZ_RUNS },
    );
  });

  it(`rejects every one-bit change to a signed body (${FUZZ_RUNS} cases)`, async () => {
    const valid = scheme.valid();
    await fc.assert(
      fc.asyncProperty(fc.nat(), fc.integer({ min: 0, max: 7 }), async (position, bit) => {
        const body = valid.body.slice();
        body[position % body.length]! ^= 1 << bit;
        await expectRejected(() => scheme.verify({ body, headers: valid.headers }));
      }),
      { numRuns: FUZZ_RUNS },
    );
  });

  it(`rejects a changed signature, a missing one, and a truncated or extended body (${FUZZ_RUNS} cases)`, async () => {
    const valid = scheme.valid();
    const mutation = fc.oneof(
      fc.nat().map((p) => (r: SignedRequest) => scheme.corruptSignature(r, p)),
      // Only headers the valid request carries: removing an absent one would change nothing.
      fc.constantFrom(...valid.headers.keys()).map((name) => (r: SignedRequest) => {
        const headers = new Headers(r.headers);
        headers.delete(name);
        return { body: r.body, headers };
      }),
      fc.integer({ min: 1, max: 64 }).map((n) => (r: SignedRequest) => ({ body: r.body.slice(0, Math.max(0, r.body.length - n)), headers: r.headers })),
      fc.uint8Array({ minLength: 1, maxLength: 16 }).map((extra) => (r: SignedRequest) => ({ body: new Uint8Array([...r.body, ...extra]), headers: r.headers })),
      ...(scheme.shiftTimestamp
        ? [fc.integer({ min: -100_000, max: 100_000 }).filter((s) => s !== 0).map((s) => (r: SignedRequest) => scheme.shiftTimestamp!(r, s))]
        : []),
    );
    await fc.assert(fc.asyncProperty(mutation, async (mutate) => expectRejected(() => scheme.verify(mutate(valid)))), { numRuns: FUZZ_RUNS });
  });
});
