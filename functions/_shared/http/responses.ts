/**
 * A JSON response.
 * @example return json({ received: true });
 */
export function json(body: unknown, init: ResponseInit = {}): Response {
  const headers = new Headers(init.headers);
  headers.set("content-type", "application/json; charset=utf-8");
  return new Response(JSON.stringify(body), { ...init, headers });
}

export interface Problem {
  status: number;
  /** Short, stable, human-readable summary of the problem type. */
  title: string;
  /** What went wrong with this request; never a secret, a body or a stack trace. */
  detail?: string;
  /** Stable machine-readable code, e.g. `ERR_WEBHOOK_SIGNATURE`. */
  code?: string;
  /** Field errors for validation problems: path → messages. */
  errors?: Record<string, string[]>;
  headers?: HeadersInit;
}

/**
 * An RFC 9457 problem response (`application/problem+json`).
 * @example return problem({ status: 401, title: "Invalid signature", code: "ERR_WEBHOOK_SIGNATURE" });
 */
export function problem({ status, title, detail, code, errors, headers }: Problem): Response {
  const h = new Headers(headers);
  h.set("content-type", "application/problem+json; charset=utf-8");
  const body: Record<string, unknown> = { type: "about:blank", title, status };
  if (detail !== undefined) body.detail = detail;
  if (code !== undefined) body.code = code;
  if (errors !== undefined) body.errors = errors;
  return new Response(JSON.stringify(body), { status, headers: h });
}
