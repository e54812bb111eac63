import { getConnInfo } from "@hono/node-server/conninfo";
import type { Context as HonoContext } from "hono";
import { forwardedForClientIp, normalizeIp } from "../client-ip.ts";

/**
 * The dev server's client: the first `x-forwarded-for` hop when a proxy set one, else the socket's peer.
 * A request handed to `app.fetch` directly (tests) has no socket: then only the header counts.
 */
export function nodeClientIp(c: HonoContext): string | undefined {
  const forwarded = forwardedForClientIp(c);
  if (forwarded) return forwarded;
  try {
    return normalizeIp(getConnInfo(c).remote.address);
  } catch {
    return undefined;
  }
}
