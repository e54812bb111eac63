// docusign-admin: GET /api/admin/integrations/docusign/templates, POST /api/admin/enrollments/{id}/contract,
// GET …/contract/document, POST …/contract/void, POST …/contract/resend
// A school's admin lists its DocuSign templates (id, name, roles) to choose the contract template, sends
// an enrollment's contract (the configured template to the enrollment's signer, safe to retry), downloads
// its combined PDF, voids it or has DocuSign email it again. The docusign-webhook function moves the
// enrollment's signature status forward as DocuSign reports it.
import type { Principal } from "../_shared/auth/principal.ts";
import type { Context } from "../_shared/context.ts";
import { adminHandler } from "../_shared/http/admin-handler.ts";
import { problem } from "../_shared/http/responses.ts";
import { docusignErrorProblem } from "../_shared/providers/docusign/error-problem.ts";
import { contractDocument, resendContract, voidContract } from "./contract-actions.ts";
import { sendContract } from "./contract.ts";
import { listTemplatesAnswer } from "./templates-list.ts";

type Route = { method: "GET" | "POST"; run: (req: Request, ctx: Context, admin: Principal) => Promise<Response> };

/** The contract routes by the path's last segment after `/contract`. A Map: a path segment is data. */
const CONTRACT_ROUTES: ReadonlyMap<string, Route> = new Map(Object.entries({
  "": { method: "POST", run: sendContract },
  "/document": { method: "GET", run: (_req, ctx, admin) => contractDocument(ctx, admin) },
  "/void": { method: "POST", run: voidContract },
  "/resend": { method: "POST", run: (_req, ctx, admin) => resendContract(ctx, admin) },
} satisfies Record<string, Route>));

const notAllowed = (allow: string) => problem({ status: 405, title: "Method not allowed", headers: { allow } });

export const handler = adminHandler("docusign-admin", async (req, ctx, admin) => {
  if ("id" in ctx.params) {
    const suffix = /\/contract(\/[a-z]+)?\/?$/.exec(new URL(req.url).pathname)?.[1] ?? "";
    const route = CONTRACT_ROUTES.get(suffix);
    if (!route) return problem({ status: 404, title: "Not found" });
    if (req.method !== route.method) return notAllowed(route.method);
    return route.run(req, ctx, admin);
  }
  if (req.method !== "GET") return notAllowed("GET");
  return listTemplatesAnswer(req, ctx, admin);
}, { errorProblems: [docusignErrorProblem] });
