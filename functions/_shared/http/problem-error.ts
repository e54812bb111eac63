import type { Problem } from "./responses.ts";

/**
 * A known outcome that ends the request with a problem response, thrown from deep inside a flow (a
 * transaction is then rolled back). Token-authenticated functions answer it as is.
 * @example throw new ProblemError({ status: 409, title: "Already paid", code: "ERR_ALREADY_PAID" });
 */
export class ProblemError extends Error {
  override name = "ProblemError";
  constructor(readonly problem: Problem) {
    super(problem.detail ?? problem.title);
  }
}
