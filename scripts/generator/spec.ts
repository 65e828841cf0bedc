import { readFileSync } from "node:fs";
import { dirname, relative, resolve } from "node:path";

/** A JSON-schema fragment as the Swagger 2.0 files write it (only the parts the generator reads). */
export interface Schema {
  $ref?: string;
  type?: string;
  format?: string;
  description?: string;
  enum?: string[];
  items?: Schema;
  properties?: Record<string, Schema>;
  additionalProperties?: Schema | boolean;
  required?: string[];
  readOnly?: boolean;
  "x-ms-client-name"?: string;
  "x-ms-enum"?: { name: string; modelAsString?: boolean };
}

interface Parameter {
  $ref?: string;
  in?: string;
  name?: string;
  required?: boolean;
  schema?: Schema;
  type?: string;
}

interface Operation {
  operationId: string;
  summary?: string;
  consumes?: string[];
  parameters?: Parameter[];
  responses: Record<string, { description?: string; schema?: Schema }>;
}

interface SpecDocument {
  info: { version: string };
  paths: Record<string, Record<string, Operation>>;
  definitions?: Record<string, Schema>;
  parameters?: Record<string, Parameter>;
}

/** A named definition after `$ref` resolution; refs inside point to other definitions by name. */
export interface ModelDefinition {
  name: string;
  schema: Schema;
  /** Property names in first-seen order across the spec files (oldest api-version first). */
  propertyOrder: string[];
  /** Per property, the api-versions whose spec has it. */
  propertyVersions: Record<string, string[]>;
}

export interface OperationModel {
  operationId: string;
  summary: string;
  method: string;
  path: string;
  pathParams: string[];
  body?: { required: boolean; mediaType: string; model: string };
  /** Success status → response model name (undefined when the status has no body). */
  responses: Array<{ status: number; model?: string }>;
  errorModel?: string;
  apiVersions: string[];
}

export interface SpecModel {
  apiVersions: string[];
  models: Map<string, ModelDefinition>;
  operations: OperationModel[];
  /** Every file read, relative to the repo root, in read order. */
  sourceFiles: string[];
}

const HTTP_METHODS = ["get", "put", "post", "patch", "delete", "head"];

/** The definition name an imported schema's `$ref` (`#/definitions/<Name>`) points to. */
export const refName = (schema: Schema): string | undefined => schema.$ref?.replace(/^#\/definitions\//, "");

/**
 * Reads the spec files (oldest first), resolves `$ref`s across files and merges them into one
 * model: definitions by name, operations by operationId, each tagged with the api-versions that have it.
 */
export function loadSpecs(repoRoot: string, specPaths: string[]): SpecModel {
  const documents = new Map<string, SpecDocument>();
  const sourceFiles: string[] = [];
  const readDocument = (file: string): SpecDocument => {
    let document = documents.get(file);
    if (!document) {
      document = JSON.parse(readFileSync(file, "utf8")) as SpecDocument;
      documents.set(file, document);
      sourceFiles.push(relative(repoRoot, file).split("\\").join("/"));
    }
    return document;
  };

  const models = new Map<string, ModelDefinition>();
  const operations = new Map<string, OperationModel>();
  const apiVersions: string[] = [];

  // Rewrites every $ref in a schema into "#/definitions/<Name>", registering the target definition.
  const importSchema = (schema: Schema, file: string): Schema => {
    if (schema.$ref) {
      const [refFile, pointer] = schema.$ref.split("#");
      const targetFile = refFile ? resolve(dirname(file), refFile) : file;
      const name = pointer.replace(/^\/definitions\//, "");
      importDefinition(name, targetFile);
      const { $ref: _ref, ...rest } = schema;
      return { ...rest, $ref: `#/definitions/${name}` };
    }
    const copy: Schema = { ...schema };
    if (schema.items) copy.items = importSchema(schema.items, file);
    if (schema.properties) {
      copy.properties = {};
      for (const [key, value] of Object.entries(schema.properties)) copy.properties[key] = importSchema(value, file);
    }
    if (schema.additionalProperties && typeof schema.additionalProperties === "object") {
      copy.additionalProperties = importSchema(schema.additionalProperties, file);
    }
    return copy;
  };

  const imported = new Set<string>();
  let currentVersion = "";
  const recordVersions = (model: ModelDefinition, schema: Schema): void => {
    for (const property of Object.keys(schema.properties ?? {})) {
      const versions = (model.propertyVersions[property] ??= []);
      if (!versions.includes(currentVersion)) versions.push(currentVersion);
    }
  };
  const importDefinition = (name: string, file: string): void => {
    // Each (file, name) pair is imported once: recursive models (CommunicationError) stop here.
    const key = `${file}#${name}`;
    if (imported.has(key)) return;
    imported.add(key);
    const source = readDocument(file).definitions?.[name];
    if (!source) throw new Error(`Definition ${name} not found in ${file}`);
    const schema = importSchema(source, file);
    const existing = models.get(name);
    if (!existing) {
      const model: ModelDefinition = { name, schema, propertyOrder: Object.keys(schema.properties ?? {}), propertyVersions: {} };
      recordVersions(model, schema);
      models.set(name, model);
      return;
    }
    // Newer files add properties; keep the older order and append new ones so bodies stay stable.
    const properties = { ...existing.schema.properties, ...schema.properties };
    for (const property of Object.keys(schema.properties ?? {})) {
      if (!existing.propertyOrder.includes(property)) existing.propertyOrder.push(property);
    }
    const required = [...new Set([...(existing.schema.required ?? []), ...(schema.required ?? [])])];
    existing.schema = { ...existing.schema, ...schema, properties, required };
    recordVersions(existing, schema);
  };

  for (const specPath of specPaths) {
    const file = resolve(repoRoot, specPath);
    const document = readDocument(file);
    const version = document.info.version;
    apiVersions.push(version);
    currentVersion = version;
    for (const name of Object.keys(document.definitions ?? {})) importDefinition(name, file);

    for (const [path, pathItem] of Object.entries(document.paths)) {
      for (const method of HTTP_METHODS) {
        const operation = pathItem[method];
        if (!operation) continue;
        const parameters = (operation.parameters ?? []).map((parameter) =>
          parameter.$ref ? document.parameters?.[parameter.$ref.replace(/^#\/parameters\//, "")] : parameter,
        );
        const pathParams = parameters.filter((p) => p?.in === "path").map((p) => p!.name!);
        const bodyParam = parameters.find((p) => p?.in === "body");
        const responses: OperationModel["responses"] = [];
        let errorModel: string | undefined;
        for (const [status, response] of Object.entries(operation.responses)) {
          const schema = response.schema ? importSchema(response.schema, file) : undefined;
          const model = schema && refName(schema);
          if (status === "default") errorModel = model;
          else responses.push({ status: Number(status), model });
        }
        responses.sort((a, b) => a.status - b.status);
        let body: OperationModel["body"];
        if (bodyParam?.schema) {
          const schema = importSchema(bodyParam.schema, file);
          body = {
            required: bodyParam.required === true,
            mediaType: operation.consumes?.[0] ?? "application/json",
            model: refName(schema)!,
          };
        }
        // The newest spec describes the operation; older ones only add their version.
        const apiVersions = [...(operations.get(operation.operationId)?.apiVersions ?? []), version];
        operations.set(operation.operationId, {
          operationId: operation.operationId,
          summary: operation.summary ?? "",
          method: method.toUpperCase(),
          path,
          pathParams,
          body,
          responses,
          errorModel,
          apiVersions,
        });
      }
    }
  }

  return { apiVersions, models, operations: [...operations.values()], sourceFiles };
}
