import { createClientLogger } from "@azure/logger";

/** The package's logger (namespace `azure:communication-identity`); enable with `AZURE_LOG_LEVEL=info`. */
export const logger = createClientLogger("communication-identity");
