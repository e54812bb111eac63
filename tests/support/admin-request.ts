import type { Handler, Services } from "../../functions/_shared/context.ts";
import { contextFor } from "./services.ts";

export interface Answer {
  status: number;
  headers: Headers;
  text: string;
  // Tests read answers loosely; a wrong shape fails their assertions.
  json: Record<string, any>;
}

/**
 * Calls a handler directly, as the runtimes do after routing, and reads its answer.
 * @example const res = await callHandler(handler, services, { method: "GET", path: "/api/admin/health", token });
 */
export async function callHandler(
  handler: Handler,
  services: Services,
  request: { method: string; path: string; token?: string; body?: unknown; raw?: string; params?: Record<string, string> },
): Promise<Answer> {
  const headers = new Headers();
  if (request.token) headers.set("authorization", `Bearer ${request.token}`);
  const body = request.raw ?? (request.body === undefined ? undefined : JSON.stringify(request.body));
  if (body !== undefined) headers.set("content-type", "application/json");
  const req = new Request(`https://ips.example.test${request.path}`, { method: request.method, headers, ...(body !== undefined ? { body } : {}) });
  const res = await handler(req, contextFor(services, request.params ?? {}));
  const text = await res.text();
  let json: Record<string, any> = {};
  try {
    json = JSON.parse(text) as Record<string, any>;
  } catch {
    // Left empty: assertions on json then fail visibly.
  }
  return { status: res.status, headers: res.headers, text, json };
}
