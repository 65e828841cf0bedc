// Browser and CommonJS builds: core-rest-pipeline's RestError, imported as is (a bundle keeps only what
// is used; CommonJS has no top-level await for the Node ESM build's cheaper load).
export { RestError } from "@azure/core-rest-pipeline";
