// Signature verification, same process, same signed ~2 KB bodies: our WebCrypto `verifyStripe` against the
// Stripe SDK's portable path (`constructEventAsync` + SubtleCryptoProvider, what an edge function would
// use) and, for reference, its Node-only sync `constructEvent` (node:crypto).
import { HMAC_IMPLEMENTATION } from "../functions/_shared/crypto/hmac.ts";
import Stripe from "stripe";
import { verifyStripe } from "../functions/_shared/verify/stripe.ts";
import { stripe, stripeSignature } from "../tests/support/stripe.ts";
import { EVENT_TYPE_MIX, paymentIntentEventBody } from "./payloads.ts";
import { median } from "./stats.ts";

const SECRET = "whsec_bench_7c1e9a4b2d8f6e3a0b5c9d2e7f1a4b8c";
const DISTINCT_BODIES = 64;

export interface VerifyFigure {
  name: string;
  /** Median over rounds of the per-round mean, in µs per verification. */
  usPerOp: number;
  minUs: number;
  maxUs: number;
  iterations: number;
}

export interface VerifyReport {
  bodyBytes: number;
  rounds: number;
  figures: { ours: VerifyFigure; sdkAsync: VerifyFigure; sdkSync: VerifyFigure; subtleFloor: VerifyFigure };
}

interface Sample {
  id: string;
  body: Uint8Array;
  header: string;
}

type Verifier = (sample: Sample) => Promise<{ id: string }> | { id: string };

function samples(): Sample[] {
  const now = Math.floor(Date.now() / 1000);
  return Array.from({ length: DISTINCT_BODIES }, (_, i) => {
    const id = `evt_bench_verify_${i.toString().padStart(4, "0")}`;
    const text = paymentIntentEventBody({
      eventId: id, type: EVENT_TYPE_MIX[i % EVENT_TYPE_MIX.length]!, intentId: `pi_bench_verify_${i}`,
      enrollmentId: crypto.randomUUID(), tenantId: crypto.randomUUID(), amount: 25_000 + i, created: now,
    });
    return { id, body: new TextEncoder().encode(text), header: stripeSignature(text, { secret: SECRET }) };
  });
}

async function verifiers(): Promise<Record<keyof VerifyReport["figures"], Verifier>> {
  const subtle = Stripe.createSubtleCryptoProvider();
  const key = await crypto.subtle.importKey("raw", new TextEncoder().encode(SECRET), { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
  return {
    ours: (s) => verifyStripe({ payload: s.body, header: s.header, secrets: [SECRET], nowSeconds: Math.floor(Date.now() / 1000) }),
    sdkAsync: (s) => stripe.webhooks.constructEventAsync(s.body, s.header, SECRET, 300, subtle),
    sdkSync: (s) => stripe.webhooks.constructEvent(s.body, s.header, SECRET),
    // The floor for any WebCrypto verifier on this runtime: one HMAC over the body, key already imported,
    // no header parsing, no compare, no JSON.parse.
    subtleFloor: async (s) => {
      await crypto.subtle.sign("HMAC", key, s.body as BufferSource);
      return { id: s.id };
    },
  };
}

/** Runs `iterations` verifications back to back; returns µs per op. A wrong result aborts the bench. */
async function round(verify: Verifier, all: readonly Sample[], iterations: number): Promise<number> {
  const start = performance.now();
  for (let i = 0; i < iterations; i++) {
    const sample = all[i % all.length]!;
    const event = await verify(sample);
    if (event.id !== sample.id) throw new Error(`verifier returned event ${event.id}, expected ${sample.id}`);
  }
  return ((performance.now() - start) * 1000) / iterations;
}

/**
 * Warm-up, then `rounds` rounds; each round runs every verifier once, in an order rotated per round so
 * drift (JIT, thermal, GC) spreads evenly over them.
 */
export async function benchVerify(options: { rounds?: number; iterationsPerRound?: number; warmup?: number } = {}): Promise<VerifyReport> {
  const { rounds = 20, iterationsPerRound = 1_000, warmup = 2_000 } = options;
  const all = samples();
  const contestants = Object.entries(await verifiers()) as [keyof VerifyReport["figures"], Verifier][];
  for (const [, verify] of contestants) await round(verify, all, warmup);

  const perRound = new Map(contestants.map(([name]) => [name, [] as number[]]));
  for (let r = 0; r < rounds; r++) {
    for (let k = 0; k < contestants.length; k++) {
      const [name, verify] = contestants[(r + k) % contestants.length]!;
      perRound.get(name)!.push(await round(verify, all, iterationsPerRound));
    }
  }

  const figure = (name: keyof VerifyReport["figures"], label: string): VerifyFigure => {
    const us = perRound.get(name)!;
    return { name: label, usPerOp: median(us), minUs: Math.min(...us), maxUs: Math.max(...us), iterations: rounds * iterationsPerRound };
  };
  return {
    bodyBytes: Math.round(all.reduce((n, s) => n + s.body.length, 0) / all.length),
    rounds,
    figures: {
      ours: figure("ours", `verifyStripe (ours, ${HMAC_IMPLEMENTATION} HMAC)`),
      sdkAsync: figure("sdkAsync", "stripe constructEventAsync + SubtleCrypto"),
      sdkSync: figure("sdkSync", "stripe constructEvent (sync, node:crypto)"),
      subtleFloor: figure("subtleFloor", "crypto.subtle.sign alone (WebCrypto floor)"),
    },
  };
}
