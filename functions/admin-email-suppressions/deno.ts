import { serveFunction } from "../runtimes/deno/serve.ts";
import { handler } from "./handler.ts";
serveFunction("admin-email-suppressions", handler);
