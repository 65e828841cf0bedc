import { createTracingClient } from "@azure/core-tracing";
import { packageVersion } from "./generated/packageInfo.js";

/** One span per public method; spans are named `CommunicationIdentity-<method>`. */
export const tracingClient = createTracingClient({
  namespace: "Microsoft.Communication",
  packageName: "communication-identity",
  packageVersion,
});
