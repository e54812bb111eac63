import { createLambdaHandler } from "../runtimes/lambda/handler.ts";
import { handler as portable } from "./handler.ts";
export const handler = createLambdaHandler("docusign-signing-url", portable);
