import * as z from "zod";
import type { Principal } from "../auth/principal.ts";
import type { Context, Handler } from "../context.ts";
import { enrollmentNotFound, resolveEnrollment, type AccessibleEnrollment } from "../domain/enrollments/access.ts";
import { readJsonBody } from "./json-body.ts";
import type { PrincipalHandlerOptions } from "./principal-handler.ts";
import { ProblemError } from "./problem-error.ts";
import { userHandler } from "./user-handler.ts";
import { fieldErrors } from "./validation.ts";

/** The body of a route that names its enrollment in JSON: `{ "enrollmentId": "<uuid>" }` and nothing else. */
export const EnrollmentIdBody = z.strictObject({ enrollmentId: z.uuid("must be an enrollment id (a UUID)") });

export type EnrollmentScopedHandler<B> = (
  req: Request, ctx: Context, user: Principal, enrollment: AccessibleEnrollment, body: B | undefined,
) => Promise<Response>;

export interface EnrollmentHandlerOptions<B> extends PrincipalHandlerOptions {
  /** The path parameter that holds the enrollment id on routes that have one (default `enrollmentId`). */
  param?: string;
  /**
   * The JSON body of routes without that path parameter, validated whole (400 naming each field) before the
   * enrollment is looked up; its `enrollmentId` names the enrollment. Default: `EnrollmentIdBody`.
   */
  body?: z.ZodType<B>;
}

const enrollmentScoped = new WeakSet<Handler>();

/** True for a handler built by `enrollmentHandler` (tests/families.test.ts checks every enrollment route is). */
export function isEnrollmentScoped(handler: Handler): boolean {
  return enrollmentScoped.has(handler);
}

/**
 * A signed-in user's function that acts for one enrollment (DESIGN.md "Families"): the enrollment id comes
 * from the path parameter `options.param` when the route has it, else from the JSON body's `enrollmentId`;
 * the enrollment is resolved through the one shared guard (`resolveEnrollment`) before `handle` runs, so an
 * enrollment the caller may not act for is a 404 — never 403, never data, no provider call. `handle` gets
 * the resolved enrollment and, for body routes, the validated body (the request body is then consumed).
 * @example export const handler = enrollmentHandler("checkout", async (req, ctx, user, enrollment) => json({ id: enrollment.id }));
 */
export function enrollmentHandler<B extends { enrollmentId: string } = z.infer<typeof EnrollmentIdBody>>(
  fn: string, handle: EnrollmentScopedHandler<B>, options: EnrollmentHandlerOptions<B> = {},
): Handler {
  const param = options.param ?? "enrollmentId";
  const schema = (options.body ?? EnrollmentIdBody) as z.ZodType<B>;
  const handler = userHandler(fn, async (req, ctx, user) => {
    let enrollmentId: string | undefined;
    let body: B | undefined;
    if (param in ctx.params) {
      enrollmentId = ctx.params[param];
    } else {
      const parsed = schema.safeParse((await readJsonBody(req)) ?? {});
      if (!parsed.success) throw new ProblemError({ status: 400, title: "Invalid request", errors: fieldErrors(parsed.error) });
      body = parsed.data;
      enrollmentId = body.enrollmentId;
    }
    const enrollment = await resolveEnrollment(ctx.db, user, enrollmentId);
    if (!enrollment) throw enrollmentNotFound();
    return handle(req, ctx, user, enrollment, body);
  }, options);
  enrollmentScoped.add(handler);
  return handler;
}
