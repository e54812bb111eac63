// docusign-admin: GET /api/admin/integrations/docusign/templates, POST /api/admin/enrollments/{id}/contract
// A school's admin lists its DocuSign templates (id, name, roles) to choose the contract template, and sends
// an enrollment's contract: the configured template to the enrollment's signer. The docusign-webhook
// function then moves the enrollment's signature status forward as DocuSign reports it.
import { adminHandler } from "../_shared/http/admin-handler.ts";
import { problem } from "../_shared/http/responses.ts";
import { docusignErrorProblem } from "../_shared/providers/docusign/error-problem.ts";
import { sendContract } from "./contract.ts";
import { listTemplatesAnswer } from "./templates-list.ts";

export const handler = adminHandler("docusign-admin", async (req, ctx, admin) => {
  if ("id" in ctx.params) {
    if (req.method !== "POST") return problem({ status: 405, title: "Method not allowed", headers: { allow: "POST" } });
    return sendContract(req, ctx, admin);
  }
  if (req.method !== "GET") return problem({ status: 405, title: "Method not allowed", headers: { allow: "GET" } });
  return listTemplatesAnswer(req, ctx, admin);
}, { errorProblems: [docusignErrorProblem] });
