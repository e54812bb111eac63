import { readBodyWithLimit } from "./body-limit.ts";
import { utf8Text } from "../crypto/encoding.ts";

/** The body was not JSON; a 400 with this message (which never quotes the body). */
export class MalformedJsonError extends Error {
  override name = "MalformedJsonError";
}

/**
 * The request's JSON body (≤ 1 MiB, else `PayloadTooLargeError`); an empty body is `undefined`.
 * @example const input = await readJsonBody(req);
 */
export async function readJsonBody(req: Request): Promise<unknown> {
  const text = utf8Text(await readBodyWithLimit(req)).trim();
  if (!text) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    throw new MalformedJsonError("request body is not valid JSON");
  }
}
