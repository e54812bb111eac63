import type * as z from "zod";
import { problem } from "./responses.ts";

/**
 * Zod issues as `path → messages`, the shape every 400 here uses (`errors` in the problem). An unknown
 * field is reported under its own path, like any other field.
 * @example fieldErrors(result.error) // { "limit": ["Too big: expected number to be <=200"] }
 */
export function fieldErrors(error: z.ZodError, prefix = ""): Record<string, string[]> {
  const errors: Record<string, string[]> = {};
  const add = (segments: PropertyKey[], message: string) => {
    const path = [prefix, ...segments.map(String)].filter(Boolean).join(".") || "(body)";
    (errors[path] ??= []).push(message);
  };
  for (const issue of error.issues) {
    if (issue.code === "unrecognized_keys") for (const key of issue.keys) add([...issue.path, key], "unknown field");
    else add(issue.path, issue.message);
  }
  return errors;
}

/**
 * A 400 naming each invalid field.
 * @example if (!parsed.success) return validationProblem("Invalid query", fieldErrors(parsed.error));
 */
export function validationProblem(title: string, errors: Record<string, string[]>): Response {
  return problem({ status: 400, title, errors });
}
