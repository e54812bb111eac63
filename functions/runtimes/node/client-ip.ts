import { getConnInfo } from "@hono/node-server/conninfo";
import type { Context as HonoContext } from "hono";
import type { Config } from "../../_shared/config.ts";
import { clientIpBehindProxies } from "../client-ip.ts";

/**
 * The dev server's client: the socket's peer, or — behind proxies of our own (`TRUST_PROXY_HOPS`) — the address
 * the outermost of them saw, counted from the right of `x-forwarded-for`. With 0 hops (the default) the header is
 * ignored: anyone can write it. A request handed to `app.fetch` directly (tests) has no socket: then only trusted
 * hops of the header count, and with none there is no vouched address.
 * @example mountFunction(app, services, fn, handler, { clientIp: nodeClientIp });
 */
export function nodeClientIp(c: HonoContext, config: Pick<Config, "trustProxyHops">): string | undefined {
  return clientIpBehindProxies({ peer: socketPeer(c), forwardedFor: c.req.header("x-forwarded-for"), trustedHops: config.trustProxyHops ?? 0 });
}

function socketPeer(c: HonoContext): string | undefined {
  try {
    return getConnInfo(c).remote.address;
  } catch {
    return undefined;
  }
}
