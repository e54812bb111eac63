const SAFE_REQUEST_ID = /^[A-Za-z0-9._:-]{8,128}$/;

/**
 * The request's id: the caller's `x-request-id` (or API Gateway's) when it looks like an id, else a new UUID.
 * @example const requestId = requestIdOf(req);
 */
export function requestIdOf(req: Request): string {
  for (const name of ["x-request-id", "x-amzn-requestid", "x-amzn-trace-id"]) {
    const value = req.headers.get(name);
    if (value && SAFE_REQUEST_ID.test(value)) return value;
  }
  return crypto.randomUUID();
}
