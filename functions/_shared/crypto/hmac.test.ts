import { createHmac, randomBytes, randomInt } from "node:crypto";
import { describe, expect, it } from "vitest";
import { bytesToHex } from "./encoding.ts";
import { HMAC_IMPLEMENTATION, hmacSha256, hmacSha256Base64, hmacSha256Hex, portableHmacSha256 } from "./hmac.ts";

const nodeHmac = (secret: string | Uint8Array, message: string | Uint8Array) => createHmac("sha256", secret).update(message);

/** A random string mixing ASCII, accented letters, CJK and astral characters (so UTF-8 encoding matters). */
function randomText(maxLength: number): string {
  const alphabet = ["a", "Z", "0", "_", ".", "{", "\"", " ", "\n", "é", "ß", "学", "費", "🎓", "✓"];
  return Array.from({ length: randomInt(maxLength + 1) }, () => alphabet[randomInt(alphabet.length)]).join("");
}

describe("hmacSha256Hex", () => {
  // stripe-node test/crypto/helpers.ts, also listed in PROVIDERS.md.
  it.each([
    ["", "f7f9bd47fb987337b5796fdc1fdb9ba221d0d5396814bfcaf9521f43fd8927fd"],
    ['{"obj1":"hello","obj2":"world"}', "bebb1a643997f419b315ddba19e6f5411e1ce7f810ba6d3617ce72823092f363"],
  ])("matches Stripe's published vector for %j under test_secret", async (message, expected) => {
    expect(hmacSha256Hex("test_secret", message)).toBe(expected);
  });

  it("agrees with node:crypto on random string secrets and messages", async () => {
    for (let i = 0; i < 50; i++) {
      const secret = `whsec_${randomText(40)}`;
      const message = randomText(300);
      expect(await hmacSha256Hex(secret, message), JSON.stringify({ secret, message })).toBe(nodeHmac(secret, message).digest("hex"));
    }
  });

  it("agrees with node:crypto on random byte secrets and messages", async () => {
    for (let i = 0; i < 50; i++) {
      const secret = new Uint8Array(randomBytes(1 + randomInt(100)));
      const message = new Uint8Array(randomBytes(randomInt(2000)));
      expect(await hmacSha256Hex(secret, message)).toBe(nodeHmac(secret, message).digest("hex"));
    }
  });

  it("treats a string message as its UTF-8 bytes", async () => {
    const message = "Schülergebühr 学費 🎓";
    expect(await hmacSha256Hex("k", message)).toBe(await hmacSha256Hex("k", new TextEncoder().encode(message)));
  });

  it("stays correct for more distinct secrets than the pure-JS path caches keyed states for", () => {
    const mac = (secret: string) => bytesToHex(portableHmacSha256(secret, "payload"));
    const secrets = Array.from({ length: 600 }, (_, i) => `whsec_rotating_${i}`);
    expect(secrets.map(mac)).toEqual(secrets.map((s) => nodeHmac(s, "payload").digest("hex")));
    // The earliest secrets were evicted by now; they must still produce the right MAC.
    expect(mac(secrets[0]!)).toBe(nodeHmac(secrets[0]!, "payload").digest("hex"));
  });
});

describe("hmacSha256Base64 and hmacSha256", () => {
  it("base64 agrees with node:crypto on random inputs", async () => {
    for (let i = 0; i < 50; i++) {
      const secret = randomText(64) || "k";
      const message = new Uint8Array(randomBytes(randomInt(1000)));
      expect(await hmacSha256Base64(secret, message)).toBe(nodeHmac(secret, message).digest("base64"));
    }
  });

  it("raw bytes are the 32-byte MAC node:crypto computes", async () => {
    const mac = await hmacSha256("test_secret", "hello");
    expect(mac).toBeInstanceOf(Uint8Array);
    expect(mac).toHaveLength(32);
    expect(Buffer.from(mac).equals(nodeHmac("test_secret", "hello").digest())).toBe(true);
  });
});

describe("the two implementations", () => {
  it("uses the node:crypto Node lends it (process.getBuiltinModule)", () => {
    expect(HMAC_IMPLEMENTATION).toBe("node:crypto");
  });

  it("pure JS (Deno without node:crypto, browsers) matches Stripe's vectors and node:crypto on random inputs", () => {
    expect(bytesToHex(portableHmacSha256("test_secret", ""))).toBe("f7f9bd47fb987337b5796fdc1fdb9ba221d0d5396814bfcaf9521f43fd8927fd");
    for (let i = 0; i < 50; i++) {
      const secret = i % 2 ? `whsec_${randomText(40)}` : new Uint8Array(randomBytes(1 + randomInt(100)));
      const message = i % 3 ? randomText(300) : new Uint8Array(randomBytes(randomInt(2000)));
      expect(bytesToHex(portableHmacSha256(secret, message))).toBe(nodeHmac(secret, message).digest("hex"));
    }
  });

  it("returns a plain Uint8Array from either", () => {
    expect(Object.getPrototypeOf(hmacSha256("k", "m"))).toBe(Uint8Array.prototype);
    expect(Object.getPrototypeOf(portableHmacSha256("k", "m"))).toBe(Uint8Array.prototype);
  });
});
