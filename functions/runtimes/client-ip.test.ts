import { describe, expect, it } from "vitest";
import { clientIpBehindProxies, normalizeIp } from "./client-ip.ts";

describe("clientIpBehindProxies", () => {
  const peer = "10.0.0.2";

  it("0 hops: the peer, whatever x-forwarded-for says", () => {
    expect(clientIpBehindProxies({ peer, forwardedFor: "203.0.113.7", trustedHops: 0 })).toBe(peer);
    expect(clientIpBehindProxies({ peer: undefined, forwardedFor: "203.0.113.7", trustedHops: 0 })).toBeUndefined();
  });

  it("counts trusted hops from the right, so what the caller wrote on the left is never read", () => {
    const forwardedFor = "6.6.6.6, 203.0.113.7, 10.0.0.1";
    expect(clientIpBehindProxies({ peer, forwardedFor, trustedHops: 1 })).toBe("10.0.0.1");
    expect(clientIpBehindProxies({ peer, forwardedFor, trustedHops: 2 })).toBe("203.0.113.7");
    expect(clientIpBehindProxies({ peer: undefined, forwardedFor: "6.6.6.6,203.0.113.7", trustedHops: 1 })).toBe("203.0.113.7");
  });

  it("with fewer entries than hops, the leftmost; with no header, the peer", () => {
    expect(clientIpBehindProxies({ peer, forwardedFor: "203.0.113.7", trustedHops: 3 })).toBe("203.0.113.7");
    expect(clientIpBehindProxies({ peer, forwardedFor: undefined, trustedHops: 1 })).toBe(peer);
  });

  it("no vouched address when the entry in its place is not an IP", () => {
    expect(clientIpBehindProxies({ peer, forwardedFor: "203.0.113.7, unknown", trustedHops: 1 })).toBeUndefined();
    expect(clientIpBehindProxies({ peer, forwardedFor: "203.0.113.7, ", trustedHops: 1 })).toBeUndefined();
  });
});

describe("normalizeIp", () => {
  it.each([
    ["203.0.113.7:443", "203.0.113.7"],
    ["[2001:DB8::1]:443", "2001:db8::1"],
    ["::ffff:203.0.113.7", "203.0.113.7"],
    [" 2001:db8::1 ", "2001:db8::1"],
  ])("%s → %s", (input, ip) => expect(normalizeIp(input)).toBe(ip));

  it.each(["", "localhost", "203.0.113.7; drop", "x".repeat(50)])("refuses %j", (input) => expect(normalizeIp(input)).toBeUndefined());
});
