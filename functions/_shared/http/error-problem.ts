import { AuthError } from "../auth/principal.ts";
import { VaultError } from "../crypto/vault.ts";
import { DbUnavailableError } from "../db/port.ts";
import type { Logger } from "./logger.ts";
import { PayloadTooLargeError } from "./body-limit.ts";
import { MalformedJsonError } from "./json-body.ts";
import { ProblemError } from "./problem-error.ts";
import { problem } from "./responses.ts";

/** Turns an error a function knows about into its problem response; `undefined` for errors it does not know. */
export type ErrorProblem = (error: unknown, log: Logger) => Response | undefined;

/**
 * The answer for an error that escaped a token-authenticated function: a `ProblemError` is answered as it
 * says; auth, body, database and vault failures become their problem responses (after any function-specific `extra` mappers had their say);
 * anything else is logged by name and code only and answered 500 without details.
 * @example catch (error) { return problemForError(error, log, [stripeErrorProblem]); }
 */
export function problemForError(error: unknown, log: Logger, extra: readonly ErrorProblem[] = []): Response {
  for (const mapper of extra) {
    const mapped = mapper(error, log);
    if (mapped) return mapped;
  }
  if (error instanceof ProblemError) return problem(error.problem);
  if (error instanceof AuthError) {
    return problem({ status: error.status, title: error.status === 401 ? "Unauthorized" : "Forbidden", detail: error.message, code: error.code });
  }
  if (error instanceof MalformedJsonError) return problem({ status: 400, title: "Malformed JSON", detail: error.message });
  if (error instanceof PayloadTooLargeError) return problem({ status: 413, title: "Payload too large", detail: error.message });
  if (error instanceof DbUnavailableError) {
    return problem({ status: 503, title: "Temporarily unavailable", code: "ERR_DB_UNAVAILABLE", headers: { "retry-after": "30" } });
  }
  if (error instanceof VaultError) {
    log.error("stored credentials could not be opened", { code: error.code });
    return problem({ status: 500, title: "Stored credentials unreadable", detail: error.message, code: error.code });
  }
  const { name, code } = (error ?? {}) as { name?: string; code?: unknown };
  log.error("unexpected error", { error: name ?? "unknown", code: typeof code === "string" ? code : undefined });
  return problem({ status: 500, title: "Internal error", detail: "the error was logged with this request's id" });
}
