export { parseConnectionString, type ParsedConnectionString } from "./parseConnectionString.js";
export { validateEndpoint } from "./validateEndpoint.js";
export { isKeyCredential, isTokenCredential } from "./credentialKinds.js";
export { createHmacAuthPolicy, hmacAuthPolicyName } from "./hmacAuthPolicy.js";
export { createAuthPolicy, communicationScope } from "./createAuthPolicy.js";
