/** Checks of JSON input shared by the handlers, the control API and the journal: one spelling of each rule. */
import { EmulatorHttpError, validation } from "./errors.js";

/** A GUID in any case, as the service accepts tenant, object, app and client ids. */
export const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A JSON object (not null, not an array). */
export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** The body (or the member `field` of one) as an object, or the 400 ValidationError to answer. */
export function requireObject(value: unknown, field?: string): Record<string, unknown> {
  if (value === undefined) throw validation(field ? `${field} is required.` : "The request body is required.", field);
  if (!isObject(value)) throw validation(field ? `${field} must be a JSON object.` : "The request body must be a JSON object.", field);
  return value;
}

/** The parsed body; undefined for an empty one; the 400 to answer for one that is not JSON. */
export function parseJsonBody(body: Buffer): unknown {
  if (body.length === 0) return undefined;
  try {
    return JSON.parse(body.toString("utf8"));
  } catch {
    throw new EmulatorHttpError(400, "BadRequest", "The request body is not valid JSON.");
  }
}
