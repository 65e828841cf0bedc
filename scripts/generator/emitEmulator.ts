import { compareCodeUnits } from "./config.js";
import { docComment, header, partialVersions, quote } from "./emit.js";
import type { SpecModel } from "./spec.js";

const list = (values: readonly string[]): string => `[${values.map(quote).join(", ")}]`;

/**
 * The emulator's route table (`emulator/src/generated/routeTable.ts`): the same operations and
 * versions as the client's generated layer, emitted into the emulator's own tree so the emulator
 * imports nothing from the SDK. Handlers stay hand-written, registered by operation name.
 */
export function emitRouteTable(spec: SpecModel): string {
  const versions = spec.apiVersions.map((v) => v.version);
  let out = header(spec, " at the repository root");
  out += "\n/** Every api-version the emulator serves, oldest first. */\n";
  out += `export const apiVersions = ${list(versions)} as const;\n`;
  out += "\n/** One of {@link apiVersions}. */\n";
  out += "export type ApiVersion = (typeof apiVersions)[number];\n";
  out += "\n/** The newest api-version: what `loose: true` (`--loose`) treats an api-version it does not know as. */\n";
  out += `export const newestApiVersion: ApiVersion = ${quote(versions[versions.length - 1])};\n`;
  out += "\n/** The spec's operations, by the operationId of the oldest api-version that has each (later specs renamed some). */\n";
  out += `export type OperationName =\n${spec.operations.map((operation) => `  | ${quote(operation.name)}`).join("\n")};\n`;
  out += `
/** One operation of the service, as the spec describes it. */
export interface GeneratedRoute {
  readonly operation: OperationName;
  readonly method: "GET" | "PUT" | "POST" | "PATCH" | "DELETE" | "HEAD";
  /** The path template, spelled like the spec (\`{name}\` is one path segment). */
  readonly template: string;
  /** The api-versions whose spec has this operation, oldest first. */
  readonly versions: readonly ApiVersion[];
  /** The request body's model, when the operation takes a body. */
  readonly bodyModel?: string;
  /** Success statuses of the newest version that has it. */
  readonly successStatuses: readonly number[];
}

/** Every operation of every api-version, in spec order. */
export const generatedRoutes: readonly GeneratedRoute[] = [
`;
  for (const operation of spec.operations) {
    const newest = operation.versions[operation.versions.length - 1];
    const fields = [
      `operation: ${quote(operation.name)}`,
      `method: ${quote(operation.method)}`,
      `template: ${quote(operation.path)}`,
      `versions: ${list(operation.versions.map((facts) => facts.version))}`,
      ...(newest.body ? [`bodyModel: ${quote(newest.body.model)}`] : []),
      `successStatuses: [${newest.responses.map((r) => r.status).join(", ")}]`,
    ];
    out += `  { ${fields.join(", ")} },\n`;
  }
  out += "];\n";

  out += "\n/** Model properties (wire names) that only some api-versions of their model have, and those versions. */\n";
  out += "const partialProperties: Readonly<Record<string, readonly ApiVersion[]>> = {\n";
  const names = [...spec.models.keys()].sort(compareCodeUnits);
  for (const name of names) {
    const model = spec.models.get(name)!;
    for (const property of model.properties) {
      const only = partialVersions(model, property);
      if (only) out += `  ${quote(`${name}.${property.wireName}`)}: ${list(only)},\n`;
    }
  }
  out += "};\n";
  out += "\n" + docComment("Whether `version`'s spec gives `model` the property `property` (wire name). Properties not in `partialProperties` are in every version of their model.");
  out += "export function versionHasProperty(model: string, property: string, version: ApiVersion): boolean {\n";
  out += "  const versions = partialProperties[`${model}.${property}`];\n";
  out += "  return versions === undefined || versions.includes(version);\n";
  out += "}\n";
  return out;
}
