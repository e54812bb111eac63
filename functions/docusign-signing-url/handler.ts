// docusign-signing-url: POST /api/enrollments/{id}/contract/signing-url {returnUrl?}
// A family signs its contract inside the portal (DocuSign embedded signing): a member of the enrollment
// gets DocuSign's one-time signing URL for the contract sent to the enrollment's signer. Enrollment-scoped
// through the shared guard: anyone else gets 404 and no DocuSign call is made.
import { enrollmentHandler } from "../_shared/http/enrollment-handler.ts";
import { docusignErrorProblem } from "../_shared/providers/docusign/error-problem.ts";
import { problem } from "../_shared/http/responses.ts";
import { signingUrl } from "./signing-url.ts";

export const handler = enrollmentHandler("docusign-signing-url", async (req, ctx, user, enrollment) => {
  if (req.method !== "POST") return problem({ status: 405, title: "Method not allowed", headers: { allow: "POST" } });
  return signingUrl(req, ctx, user, enrollment);
}, { param: "id", errorProblems: [docusignErrorProblem] });
