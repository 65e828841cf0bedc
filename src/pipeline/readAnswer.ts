/**
 * Type-checked reads of a service answer's fields, for the client's result mapping: a field of
 * the wrong type throws an {@link AnswerShapeError} naming its JSON path, which the request
 * executor turns into a `RestError` with code `PARSE_ERROR`. Messages name paths and types, never values
 * (an answer carries tokens).
 */

/** An answer that is valid JSON but not the shape the client maps. */
export class AnswerShapeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "AnswerShapeError";
  }
}

/** The JSON type of `value`, for messages (never the value: an answer carries tokens). */
const typeName = (value: unknown): string => (value === undefined ? "nothing" : value === null ? "null" : Array.isArray(value) ? "an array" : typeof value);

/** `value` as a JSON object (not null, not an array). */
export function answerObject(value: unknown, path: string): Record<string, unknown> {
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new AnswerShapeError(`${path} must be an object, got ${typeName(value)}`);
  }
  return value as Record<string, unknown>;
}

/** `value` as a non-empty string. */
export function answerString(value: unknown, path: string): string {
  if (typeof value !== "string") throw new AnswerShapeError(`${path} must be a string, got ${typeName(value)}`);
  if (value === "") throw new AnswerShapeError(`${path} must not be empty`);
  return value;
}

// The service's date-time: `2025-04-18T14:46:09.2469181+00:00` (7 fractional digits), or with `Z`.
const DATE_TIME = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.(\d+))?(Z|[+-]\d\d:\d\d)$/i;

/**
 * `value` as a Date, parsed exactly to the millisecond (truncated) in every engine: the fraction is
 * cut to the 3 digits of ECMAScript's date-time format, which every engine must parse.
 */
export function answerDate(value: unknown, path: string): Date {
  if (typeof value !== "string") throw new AnswerShapeError(`${path} must be a date-time string, got ${typeName(value)}`);
  const match = DATE_TIME.exec(value.trim());
  // Without a match, new Date(NaN) is the invalid date the check below refuses.
  const date = new Date(match ? `${match[1]}.${((match[2] ?? "") + "000").slice(0, 3)}${match[3].toUpperCase()}` : NaN);
  if (Number.isNaN(date.getTime())) throw new AnswerShapeError(`${path} must be an ISO 8601 date-time with an offset`);
  return date;
}
