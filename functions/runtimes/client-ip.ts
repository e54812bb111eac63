// An address as it may appear in x-forwarded-for or a socket: IPv4, IPv6 (hex, colons, an embedded IPv4).
const IP = /^[0-9A-Fa-f.:]{2,45}$/;

/** A plausible IP, without an IPv4 `:port` or IPv6 brackets; `undefined` for anything else. */
export function normalizeIp(value: string | undefined): string | undefined {
  let ip = value?.trim();
  if (!ip) return undefined;
  const bracketed = /^\[([^\]]+)\](?::\d+)?$/.exec(ip);
  if (bracketed) ip = bracketed[1]!;
  else if (/^[\d.]+:\d+$/.test(ip)) ip = ip.slice(0, ip.indexOf(":"));
  // A dual-stack socket reports IPv4 peers as IPv4-mapped IPv6: one client, one key, whichever way it came.
  if (/^::ffff:[\d.]+$/i.test(ip)) ip = ip.slice(7);
  return IP.test(ip) ? ip.toLowerCase() : undefined;
}

/**
 * The client as the proxies we trust saw it. `peer` is the address that connected to us (a socket, or what the
 * platform reports); each trusted proxy appends the address it received from to `x-forwarded-for`, so with
 * `trustedHops` proxies in front the client is the `trustedHops`-th entry counted from the RIGHT. Entries further
 * left were written by the caller (or by proxies we do not know) and are never read. 0 hops: the peer itself.
 * Fewer entries than hops (a request that skipped a proxy): the leftmost one a trusted proxy wrote.
 * Something that is not an IP where the client should be: `undefined` (no vouched address).
 * @example clientIpBehindProxies({ peer: "10.0.0.2", forwardedFor: "6.6.6.6, 203.0.113.7", trustedHops: 1 }) // "203.0.113.7"
 */
export function clientIpBehindProxies(input: { peer: string | undefined; forwardedFor: string | undefined; trustedHops: number }): string | undefined {
  const forwarded = input.forwardedFor ? input.forwardedFor.split(",") : [];
  // Nearest last: the peer, then each hop a proxy appended, from the right.
  const chain = [...forwarded, input.peer];
  return normalizeIp(chain[Math.max(0, chain.length - 1 - input.trustedHops)]);
}
