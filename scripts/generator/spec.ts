import { existsSync, readFileSync } from "node:fs";
import { dirname, relative, resolve } from "node:path";
import { compareCodeUnits, GeneratorInputError, type GeneratorConfig, type VersionEntry, type VersionStatus } from "./config.js";

// ---- the model the emitters read ----------------------------------------------------------------

/** A value's type after `$ref` resolution: refs name a definition. */
export type TypeRef =
  | { readonly kind: "ref"; readonly name: string }
  | { readonly kind: "string"; readonly format?: string; readonly enum?: readonly string[] }
  | { readonly kind: "integer" | "number" | "boolean" }
  | { readonly kind: "array"; readonly items: TypeRef }
  | { readonly kind: "unknown" };

export interface PropertyModel {
  readonly wireName: string;
  clientName: string;
  type: TypeRef;
  description?: string;
  readOnly: boolean;
  /** The api-versions whose spec has this property, oldest first. */
  readonly versions: string[];
}

export interface ModelDefinition {
  readonly name: string;
  /** `object`: named properties; `map`: string keys to `values`; `enum`: string values. */
  kind: "object" | "map" | "enum";
  description?: string;
  /** In first-seen order across the versions (oldest first), so bodies keep the order old clients send. */
  readonly properties: PropertyModel[];
  /** Value type of a `map`. */
  values?: TypeRef;
  enumValues: string[];
  /** Whether values beyond {@link enumValues} are allowed (`x-ms-enum.modelAsString`). */
  openEnum: boolean;
  /** The api-versions whose spec has this definition, and per version its required properties. */
  readonly requiredByVersion: Map<string, readonly string[]>;
}

export interface ParameterModel {
  readonly wireName: string;
  readonly clientName: string;
  readonly required: boolean;
  readonly type: "string" | "integer" | "number" | "boolean";
}

/** What one api-version says about one operation. */
export interface OperationVersion {
  readonly version: string;
  readonly operationId: string;
  readonly summary: string;
  readonly pathParams: readonly ParameterModel[];
  readonly queryParams: readonly ParameterModel[];
  readonly headerParams: readonly ParameterModel[];
  readonly body?: { readonly model: string; readonly required: boolean; readonly mediaType: string };
  /** Success statuses (2xx) in ascending order, with the model of their body. */
  readonly responses: ReadonlyArray<{ readonly status: number; readonly model?: string }>;
  readonly errorModel?: string;
  /** `x-ms-pageable`: the answer holds one page, `itemName` the items and `nextLinkName` the next page's URL. */
  readonly pageable?: { readonly itemName: string; readonly nextLinkName: string };
}

/** One REST operation, identified by method and path across versions (operationIds changed between them). */
export interface OperationModel {
  /** The operationId of the oldest version that has it: a stable name for the generated constants. */
  readonly name: string;
  readonly method: string;
  readonly path: string;
  /** Per api-version facts, oldest version first. */
  readonly versions: OperationVersion[];
}

export interface ApiVersionModel {
  readonly version: string;
  readonly status: VersionStatus;
}

export interface SpecModel {
  /** Oldest first (code-unit order of the names). */
  readonly apiVersions: readonly ApiVersionModel[];
  readonly defaultPreference: readonly VersionStatus[];
  /** By name, in code-unit order. */
  readonly models: ReadonlyMap<string, ModelDefinition>;
  /** In order of first appearance (oldest version first, then spec order). */
  readonly operations: readonly OperationModel[];
  /** Every file read, relative to the repo root, in read order. */
  readonly sourceFiles: readonly string[];
}

// ---- errors -------------------------------------------------------------------------------------

/** Something in a spec the generator does not implement or cannot resolve, with the place it is at. */
export class SpecError extends GeneratorInputError {
  override name = "SpecError";
  constructor(
    readonly file: string,
    readonly pointer: string,
    problem: string,
  ) {
    super(`${file}#${pointer}: ${problem}`);
  }
}

// ---- reading ------------------------------------------------------------------------------------

type Json = Record<string, unknown>;

const HTTP_METHODS = ["get", "put", "post", "patch", "delete", "head"];
const PARAMETER_TYPES = new Set(["string", "integer", "number", "boolean"]);
// Schema keywords the generator reads, or that only constrain values (checked by the service, not here).
const SCHEMA_KEYS = new Set([
  "$ref", "type", "format", "description", "title", "enum", "items", "properties", "additionalProperties", "required",
  "readOnly", "default", "example", "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "minLength", "maxLength",
  "pattern", "minItems", "maxItems", "uniqueItems", "x-ms-client-name", "x-ms-enum", "x-ms-identifiers", "x-ms-secret",
]);
const OPERATION_KEYS = new Set([
  "operationId", "summary", "description", "tags", "consumes", "produces", "parameters", "responses", "deprecated",
  "security", "externalDocs", "x-ms-examples", "x-ms-pageable",
]);
const PARAMETER_KEYS = new Set([
  "$ref", "name", "in", "description", "required", "type", "format", "schema", "default", "minimum", "maximum", "minLength",
  "maxLength", "pattern", "enum", "x-ms-parameter-location", "x-ms-client-name", "x-ms-skip-url-encoding", "x-ms-enum",
]);

const escapePointer = (segment: string): string => segment.replace(/~/g, "~0").replace(/\//g, "~1");
const child = (pointer: string, ...segments: Array<string | number>): string =>
  pointer + segments.map((segment) => "/" + escapePointer(String(segment))).join("");

const isJson = (value: unknown): value is Json => typeof value === "object" && value !== null && !Array.isArray(value);

/**
 * Reads every version's spec file (and the files they `$ref`), keeping what each version says:
 * per operation its parameters, body, success statuses and paging; per model property the versions
 * that have it. Anything the emitters would not render faithfully fails with the file and JSON pointer.
 */
export function loadSpecs(config: GeneratorConfig, repoRoot: string): SpecModel {
  const display = (file: string): string => relative(repoRoot, file).split("\\").join("/");
  const documents = new Map<string, Json>();
  const sourceFiles: string[] = [];
  const readDocument = (file: string, from?: { file: string; pointer: string }): Json => {
    let document = documents.get(file);
    if (document) return document;
    if (!existsSync(file)) {
      if (from) throw new SpecError(display(from.file), from.pointer, `$ref to ${display(file)}, which does not exist`);
      throw new GeneratorInputError(`${display(file)} does not exist (listed in ${display(config.configFile)})`);
    }
    try {
      document = JSON.parse(readFileSync(file, "utf8")) as Json;
    } catch (error) {
      throw new GeneratorInputError(`${display(file)}: not valid JSON (${(error as Error).message})`);
    }
    documents.set(file, document);
    sourceFiles.push(display(file));
    return document;
  };

  const models = new Map<string, ModelDefinition>();
  const operations = new Map<string, OperationModel>();

  /** Resolves a `$ref` found at (file, pointer) to its target file and pointer. */
  const resolveRef = (ref: unknown, file: string, pointer: string): { file: string; pointer: string; value: unknown } => {
    if (typeof ref !== "string" || !ref.includes("#")) throw new SpecError(display(file), pointer, `unsupported $ref ${JSON.stringify(ref)}`);
    const [refFile, refPointer] = ref.split("#");
    const targetFile = refFile ? resolve(dirname(file), refFile) : file;
    let value: unknown = readDocument(targetFile, { file, pointer });
    for (const segment of refPointer.split("/").slice(1)) {
      const key = segment.replace(/~1/g, "/").replace(/~0/g, "~");
      value = isJson(value) ? value[key] : undefined;
      if (value === undefined) throw new SpecError(display(file), pointer, `$ref ${ref} cannot be resolved (${display(targetFile)} has no ${refPointer})`);
    }
    return { file: targetFile, pointer: refPointer, value };
  };

  /** The definition a schema `$ref` names, imported for `version`. Only `/definitions/<Name>` targets are supported. */
  const importRef = (ref: unknown, file: string, pointer: string, version: string): TypeRef => {
    const target = resolveRef(ref, file, pointer);
    const match = /^\/definitions\/([^/]+)$/.exec(target.pointer);
    if (!match) throw new SpecError(display(file), pointer, `$ref ${String(ref)}: only $refs to /definitions/<Name> are supported`);
    const name = match[1].replace(/~1/g, "/").replace(/~0/g, "~");
    if (!/^[A-Za-z_$][\w$]*$/.test(name)) throw new SpecError(display(target.file), target.pointer, `definition name ${name} is not a TypeScript identifier`);
    importDefinition(name, target.file, target.pointer, version);
    return { kind: "ref", name };
  };

  const checkSchemaKeys = (schema: Json, file: string, pointer: string): void => {
    for (const key of Object.keys(schema)) {
      if (key === "allOf" || key === "anyOf" || key === "oneOf" || key === "discriminator" || key === "not" || key === "x-nullable") {
        throw new SpecError(display(file), child(pointer, key), `${key} is not supported by the generator`);
      }
      if (!SCHEMA_KEYS.has(key)) throw new SpecError(display(file), child(pointer, key), `schema keyword ${key} is not supported by the generator`);
    }
  };

  /** The type of a property, array item or map value: a `$ref`, a primitive, or an array of those. */
  const importType = (schema: unknown, file: string, pointer: string, version: string): TypeRef => {
    if (!isJson(schema)) throw new SpecError(display(file), pointer, "expected a schema object");
    checkSchemaKeys(schema, file, pointer);
    if (schema.$ref !== undefined) return importRef(schema.$ref, file, pointer, version);
    if (schema.properties !== undefined || schema.additionalProperties !== undefined || schema.type === "object") {
      throw new SpecError(display(file), pointer, "inline object schemas are not supported: move it to /definitions and $ref it");
    }
    if (schema.enum !== undefined && schema.type !== "string") throw new SpecError(display(file), pointer, "only string enums are supported");
    switch (schema.type) {
      case "string": {
        const enumValues = schema.enum as string[] | undefined;
        return { kind: "string", ...(typeof schema.format === "string" ? { format: schema.format } : {}), ...(enumValues ? { enum: enumValues } : {}) };
      }
      case "integer":
      case "number":
      case "boolean":
        return { kind: schema.type };
      case "array":
        if (schema.items === undefined) throw new SpecError(display(file), pointer, "an array needs items");
        return { kind: "array", items: importType(schema.items, file, child(pointer, "items"), version) };
      case undefined:
        if (Object.keys(schema).every((key) => key === "description")) return { kind: "unknown" };
        throw new SpecError(display(file), pointer, "a schema without a type is not supported");
      default:
        throw new SpecError(display(file), child(pointer, "type"), `type ${JSON.stringify(schema.type)} is not supported`);
    }
  };

  // Definitions are imported once per (version, file, name): a Common file shared by two versions counts for both.
  const imported = new Set<string>();
  const importDefinition = (name: string, file: string, pointer: string, version: string): void => {
    const key = `${version}\n${file}\n${name}`;
    if (imported.has(key)) return;
    imported.add(key);
    const schema = readDocument(file).definitions;
    const source = isJson(schema) ? schema[name] : undefined;
    if (!isJson(source)) throw new SpecError(display(file), pointer, "definition not found");
    checkSchemaKeys(source, file, pointer);
    const where = display(file);

    let model = models.get(name);
    const fresh = !model;
    model ??= { name, kind: "object", properties: [], enumValues: [], openEnum: false, requiredByVersion: new Map() };
    if (typeof source.description === "string") model.description = source.description;

    let kind: ModelDefinition["kind"];
    if (source.enum !== undefined) {
      if (source.type !== "string" || !Array.isArray(source.enum)) throw new SpecError(where, pointer, "only string enums are supported");
      kind = "enum";
      for (const value of source.enum as unknown[]) {
        if (typeof value !== "string") throw new SpecError(where, child(pointer, "enum"), "enum values must be strings");
        if (!model.enumValues.includes(value)) model.enumValues.push(value);
      }
      const xmsEnum = source["x-ms-enum"];
      model.openEnum = isJson(xmsEnum) && xmsEnum.modelAsString === true;
    } else if (source.type !== undefined && source.type !== "object") {
      throw new SpecError(where, child(pointer, "type"), `a definition of type ${JSON.stringify(source.type)} is not supported (only objects and string enums)`);
    } else {
      const properties = source.properties;
      const extra = source.additionalProperties;
      const hasProperties = isJson(properties) && Object.keys(properties).length > 0;
      if (properties !== undefined && !isJson(properties)) throw new SpecError(where, child(pointer, "properties"), "expected an object");
      if (hasProperties && extra !== undefined && extra !== false) {
        throw new SpecError(where, child(pointer, "additionalProperties"), "properties together with additionalProperties are not supported");
      }
      kind = extra !== undefined && extra !== false ? "map" : "object";
      if (kind === "map") {
        const values = extra === true || (isJson(extra) && Object.keys(extra).length === 0) ? ({ kind: "unknown" } as const) : importType(extra, file, child(pointer, "additionalProperties"), version);
        if (model.values && JSON.stringify(model.values) !== JSON.stringify(values)) {
          throw new SpecError(where, child(pointer, "additionalProperties"), `the value type of ${name} differs between api-versions`);
        }
        model.values = values;
      }
      for (const [wireName, propertySchema] of Object.entries(isJson(properties) ? properties : {})) {
        const propertyPointer = child(pointer, "properties", wireName);
        const type = importType(propertySchema, file, propertyPointer, version);
        const ps = propertySchema as Json;
        let property = model.properties.find((p) => p.wireName === wireName);
        if (!property) {
          property = { wireName, clientName: wireName, type, readOnly: false, versions: [] };
          model.properties.push(property);
        } else if (JSON.stringify(withoutEnum(property.type)) !== JSON.stringify(withoutEnum(type))) {
          throw new SpecError(where, propertyPointer, `the type of ${name}.${wireName} differs between api-versions`);
        }
        property.type = mergeInlineEnums(property.type, type);
        const clientName = ps["x-ms-client-name"];
        if (clientName !== undefined && (typeof clientName !== "string" || !/^[A-Za-z_$][\w$]*$/.test(clientName))) {
          throw new SpecError(where, child(propertyPointer, "x-ms-client-name"), "x-ms-client-name must be an identifier");
        }
        property.clientName = (clientName as string | undefined) ?? wireName;
        if (typeof ps.description === "string") property.description = ps.description;
        property.readOnly = ps.readOnly === true;
        if (!property.versions.includes(version)) property.versions.push(version);
      }
      const required = source.required ?? [];
      if (!Array.isArray(required) || required.some((r) => typeof r !== "string" || !isJson(properties) || !(r in properties))) {
        throw new SpecError(where, child(pointer, "required"), "required must list properties the definition has");
      }
      model.requiredByVersion.set(version, required as string[]);
    }
    if (kind !== "enum") model.requiredByVersion.set(version, model.requiredByVersion.get(version) ?? []);
    else model.requiredByVersion.set(version, []);
    if (!fresh && model.kind !== kind) {
      // An empty object in one version and a map in another (the spec's `{}` request bodies): the map is the wider.
      const emptyObject = (k: string) => k === "object" && model.properties.length === 0;
      if (emptyObject(model.kind) && kind === "map") model.kind = "map";
      else if (!(emptyObject(kind) && model.kind === "map")) throw new SpecError(where, pointer, `${name} is a ${model.kind} in one api-version and a ${kind} in another`);
    } else {
      model.kind = kind;
    }
    if (model.kind === "map" && !model.values) model.values = { kind: "unknown" };
    models.set(name, model);
  };

  /** A path, query or header parameter (or the body), after resolving a `$ref` (possibly to another file). */
  const readParameter = (raw: unknown, file: string, pointer: string): { parameter: Json; file: string; pointer: string } => {
    if (!isJson(raw)) throw new SpecError(display(file), pointer, "expected a parameter object");
    if (raw.$ref !== undefined) {
      const target = resolveRef(raw.$ref, file, pointer);
      if (!isJson(target.value)) throw new SpecError(display(file), pointer, "the $ref'd parameter is not an object");
      return readParameter(target.value, target.file, target.pointer);
    }
    for (const key of Object.keys(raw)) {
      if (!PARAMETER_KEYS.has(key)) throw new SpecError(display(file), child(pointer, key), `parameter keyword ${key} is not supported by the generator`);
    }
    return { parameter: raw, file, pointer };
  };

  const readVersion = (entry: VersionEntry): void => {
    const { version, file } = entry;
    const document = readDocument(file);
    const where = display(file);
    const info = document.info;
    if (!isJson(info) || info.version !== version) {
      throw new SpecError(where, "/info/version", `is ${JSON.stringify(isJson(info) ? info.version : undefined)}, but ${display(config.configFile)} lists this file as ${version}`);
    }
    if (document.swagger !== "2.0") throw new SpecError(where, "/swagger", "only Swagger 2.0 files are supported");
    const documentConsumes = document.consumes;
    // Definitions nothing references still belong to the version (their property versions count).
    const definitions = document.definitions;
    for (const name of Object.keys(isJson(definitions) ? definitions : {})) importDefinition(name, file, child("/definitions", name), version);

    const paths = document.paths;
    if (!isJson(paths)) throw new SpecError(where, "/paths", "expected an object");
    for (const [path, pathItem] of Object.entries(paths)) {
      const pathPointer = child("/paths", path);
      if (!isJson(pathItem)) throw new SpecError(where, pathPointer, "expected an object");
      for (const key of Object.keys(pathItem)) {
        if (!HTTP_METHODS.includes(key) && key !== "parameters") throw new SpecError(where, child(pathPointer, key), `${key} in a path item is not supported`);
      }
      const shared = Array.isArray(pathItem.parameters) ? pathItem.parameters : [];
      for (const method of HTTP_METHODS) {
        const operation = pathItem[method];
        if (operation === undefined) continue;
        const opPointer = child(pathPointer, method);
        if (!isJson(operation)) throw new SpecError(where, opPointer, "expected an object");
        for (const key of Object.keys(operation)) {
          if (!OPERATION_KEYS.has(key)) throw new SpecError(where, child(opPointer, key), `${key} is not supported by the generator`);
        }
        if (typeof operation.operationId !== "string") throw new SpecError(where, child(opPointer, "operationId"), "every operation needs an operationId");
        const facts = readOperation(operation, [...shared.map((p, i) => ({ raw: p, pointer: child(pathPointer, "parameters", i) }))], {
          file,
          opPointer,
          path,
          version,
          documentConsumes,
        });
        const key = `${method.toUpperCase()} ${path}`;
        let model = operations.get(key);
        if (!model) {
          model = { name: operation.operationId, method: method.toUpperCase(), path, versions: [] };
          operations.set(key, model);
        }
        model.versions.push(facts);
      }
    }
  };

  const readOperation = (
    operation: Json,
    shared: Array<{ raw: unknown; pointer: string }>,
    where: { file: string; opPointer: string; path: string; version: string; documentConsumes: unknown },
  ): OperationVersion => {
    const { file, opPointer, path, version } = where;
    const shown = display(file);
    const own = Array.isArray(operation.parameters) ? operation.parameters.map((raw, i) => ({ raw, pointer: child(opPointer, "parameters", i) })) : [];
    const pathParams: ParameterModel[] = [];
    const queryParams: ParameterModel[] = [];
    const headerParams: ParameterModel[] = [];
    let body: OperationVersion["body"];
    let hasApiVersion = false;
    for (const { raw, pointer } of [...shared, ...own]) {
      const { parameter, file: paramFile, pointer: paramPointer } = readParameter(raw, file, pointer);
      const fail = (problem: string, key?: string): never => {
        throw new SpecError(display(paramFile), key ? child(paramPointer, key) : paramPointer, problem);
      };
      const name = parameter.name;
      if (typeof name !== "string") fail("a parameter needs a name", "name");
      if (parameter.in === "body") {
        if (body) fail("a second body parameter");
        if (!isJson(parameter.schema) || parameter.schema.$ref === undefined) fail("the body schema must be a $ref to a definition", "schema");
        const type = importType(parameter.schema, paramFile, child(paramPointer, "schema"), version) as { name: string };
        const consumes = operation.consumes ?? where.documentConsumes ?? ["application/json"];
        if (!Array.isArray(consumes) || typeof consumes[0] !== "string") fail("consumes must list a media type");
        body = { model: type.name, required: parameter.required === true, mediaType: (consumes as string[])[0] };
        continue;
      }
      if (parameter.in !== "path" && parameter.in !== "query" && parameter.in !== "header") {
        fail(`parameters in ${JSON.stringify(parameter.in)} are not supported by the generator`, "in");
      }
      if (parameter.in === "query" && name === "api-version") {
        hasApiVersion = true;
        continue;
      }
      if (!PARAMETER_TYPES.has(parameter.type as string)) fail(`parameter type ${JSON.stringify(parameter.type)} is not supported (string, integer, number, boolean)`, "type");
      const clientName = (parameter["x-ms-client-name"] as string | undefined) ?? toIdentifier(name as string);
      const model: ParameterModel = {
        wireName: name as string,
        clientName,
        required: parameter.required === true,
        type: parameter.type as ParameterModel["type"],
      };
      const list = parameter.in === "path" ? pathParams : parameter.in === "query" ? queryParams : headerParams;
      if ([...pathParams, ...queryParams, ...headerParams].some((p) => p.clientName === clientName)) fail(`two parameters are named ${clientName}`);
      if (parameter.in === "path" && !model.required) fail("path parameters must be required", "required");
      list.push(model);
    }
    if (!hasApiVersion) throw new SpecError(shown, child(opPointer, "parameters"), "the operation has no api-version query parameter");
    const placeholders = [...path.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]);
    for (const placeholder of placeholders) {
      if (!pathParams.some((p) => p.wireName === placeholder)) {
        throw new SpecError(shown, child(opPointer, "parameters"), `the path has {${placeholder}} but no path parameter of that name`);
      }
    }
    for (const p of pathParams) {
      if (!placeholders.includes(p.wireName)) throw new SpecError(shown, child(opPointer, "parameters"), `path parameter ${p.wireName} is not in the path`);
    }
    // The path template is filled by the wire name: keep the two equal so it stays a plain template.
    for (const p of pathParams) {
      if (p.clientName !== p.wireName) throw new SpecError(shown, child(opPointer, "parameters"), `path parameter ${p.wireName} must not be renamed`);
    }

    const responses: Array<{ status: number; model?: string }> = [];
    let errorModel: string | undefined;
    const rawResponses = operation.responses;
    if (!isJson(rawResponses)) throw new SpecError(shown, child(opPointer, "responses"), "expected an object");
    for (const [status, response] of Object.entries(rawResponses)) {
      const responsePointer = child(opPointer, "responses", status);
      if (!isJson(response)) throw new SpecError(shown, responsePointer, "expected an object");
      let model: string | undefined;
      if (response.schema !== undefined) {
        if (!isJson(response.schema) || response.schema.$ref === undefined) {
          throw new SpecError(shown, child(responsePointer, "schema"), "inline response schemas are not supported: $ref a definition");
        }
        model = (importType(response.schema, file, child(responsePointer, "schema"), version) as { name: string }).name;
      }
      if (/^2\d\d$/.test(status)) {
        responses.push({ status: Number(status), ...(model ? { model } : {}) });
      } else if (status === "default" || /^[3-5]\d\d$/.test(status)) {
        if (model && errorModel && model !== errorModel) throw new SpecError(shown, responsePointer, "two different error models");
        errorModel ??= model;
      } else {
        throw new SpecError(shown, responsePointer, `response status ${status} is not supported`);
      }
    }
    if (responses.length === 0) throw new SpecError(shown, child(opPointer, "responses"), "the operation has no success (2xx) response");
    responses.sort((a, b) => a.status - b.status);

    let pageable: OperationVersion["pageable"];
    if (operation["x-ms-pageable"] !== undefined) {
      const pointer = child(opPointer, "x-ms-pageable");
      const paging = operation["x-ms-pageable"];
      if (!isJson(paging)) throw new SpecError(shown, pointer, "expected an object");
      for (const key of Object.keys(paging)) {
        if (key !== "nextLinkName" && key !== "itemName") throw new SpecError(shown, child(pointer, key), `x-ms-pageable.${key} is not supported by the generator`);
      }
      const itemName = (paging.itemName as string | undefined) ?? "value";
      const nextLinkName = paging.nextLinkName;
      if (typeof nextLinkName !== "string") throw new SpecError(shown, pointer, "x-ms-pageable needs a nextLinkName (single-page lists are not supported)");
      for (const response of responses) {
        const page = response.model ? models.get(response.model) : undefined;
        if (!response.model) continue;
        for (const member of [itemName, nextLinkName]) {
          if (!page?.properties.some((p) => p.wireName === member && p.versions.includes(version))) {
            throw new SpecError(shown, pointer, `the ${response.status} answer ${response.model} has no ${member} property`);
          }
        }
      }
      pageable = { itemName, nextLinkName };
    }
    return {
      version,
      operationId: operation.operationId as string,
      summary: typeof operation.summary === "string" ? operation.summary : "",
      pathParams,
      queryParams,
      headerParams,
      ...(body ? { body } : {}),
      responses,
      ...(errorModel ? { errorModel } : {}),
      ...(pageable ? { pageable } : {}),
    };
  };

  for (const entry of config.versions) readVersion(entry);

  const sortedModels = new Map([...models.entries()].sort(([a], [b]) => compareCodeUnits(a, b)));
  return {
    apiVersions: config.versions.map(({ version, status }) => ({ version, status })),
    defaultPreference: config.defaultPreference,
    models: sortedModels,
    operations: [...operations.values()],
    sourceFiles,
  };
}

function withoutEnum(type: TypeRef): TypeRef {
  if (type.kind === "string") return { kind: "string", ...(type.format ? { format: type.format } : {}) };
  if (type.kind === "array") return { kind: "array", items: withoutEnum(type.items) };
  return type;
}

/** Inline string enums gain values across versions like named ones do. */
function mergeInlineEnums(older: TypeRef, newer: TypeRef): TypeRef {
  if (older.kind === "string" && newer.kind === "string" && (older.enum || newer.enum)) {
    return { ...newer, enum: [...new Set([...(older.enum ?? []), ...(newer.enum ?? [])])] };
  }
  if (older.kind === "array" && newer.kind === "array") return { kind: "array", items: mergeInlineEnums(older.items, newer.items) };
  return newer;
}

/** `x-ms-client-request-id` → `xMsClientRequestId`: a parameter name usable as a property. */
function toIdentifier(name: string): string {
  const id = name.replace(/[^A-Za-z0-9_$]+(.)?/g, (_match, next: string | undefined) => (next ? next.toUpperCase() : ""));
  return /^[0-9]/.test(id) ? `_${id}` : id;
}
