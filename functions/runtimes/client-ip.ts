import type { Context as HonoContext } from "hono";

// An address as it may appear in x-forwarded-for or a socket: IPv4, IPv6 (hex, colons, an embedded IPv4).
const IP = /^[0-9A-Fa-f.:]{2,45}$/;

/** A plausible IP, without an IPv4 `:port` or IPv6 brackets; `undefined` for anything else. */
export function normalizeIp(value: string | undefined): string | undefined {
  let ip = value?.trim();
  if (!ip) return undefined;
  const bracketed = /^\[([^\]]+)\](?::\d+)?$/.exec(ip);
  if (bracketed) ip = bracketed[1]!;
  else if (/^[\d.]+:\d+$/.test(ip)) ip = ip.slice(0, ip.indexOf(":"));
  return IP.test(ip) ? ip.toLowerCase() : undefined;
}

/**
 * The first hop of `x-forwarded-for`: the client as the first proxy saw it. Used where a proxy we run in
 * front sets the header (the dev server behind a local proxy, Supabase's gateway). A client can put its own
 * value first where no proxy rewrites the header, so this is a fair-use key, not an identity.
 * @example forwardedForClientIp(c) // "203.0.113.7" for "203.0.113.7, 10.0.0.1"
 */
export function forwardedForClientIp(c: HonoContext): string | undefined {
  return normalizeIp(c.req.header("x-forwarded-for")?.split(",")[0]);
}
