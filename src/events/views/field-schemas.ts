/**
 * The generated field schemas (`schemas/field-schemas.json`, built by scripts/build-field-schemas.mjs
 * from ECS, the Windows integration and Elastic Defend's package): lookups by schema and name.
 */
import type { FieldType } from '../types.js';
import generated from './schemas/field-schemas.json' with { type: 'json' };

export type FieldSchemaName = 'ecs' | 'windows' | 'endpoint';

interface SchemaTable {
  fields: Record<string, string[]>;
  dynamic: Record<string, string>;
  arrays?: string[];
}

export interface FieldSchema {
  readonly types: ReadonlyMap<string, FieldType>;
  /** Prefix -> type of any field below it, longest prefix first so the most specific wins. */
  readonly dynamic: ReadonlyArray<readonly [string, FieldType]>;
  /** Fields the schema says hold several values (ECS `normalize: array`). */
  readonly arrays: ReadonlySet<string>;
}

function load(table: SchemaTable): FieldSchema {
  const types = new Map<string, FieldType>();
  for (const [type, names] of Object.entries(table.fields)) for (const name of names) types.set(name, type as FieldType);
  const dynamic = Object.entries(table.dynamic)
    .sort((a, b) => b[0].length - a[0].length)
    .map(([prefix, type]) => [prefix, type as FieldType] as const);
  return { types, dynamic, arrays: new Set(table.arrays ?? []) };
}

const schemas = (generated as unknown as { schemas: Record<FieldSchemaName, SchemaTable> }).schemas;
const loaded = new Map<FieldSchemaName, FieldSchema>();

export function fieldSchema(name: FieldSchemaName): FieldSchema {
  let schema = loaded.get(name);
  if (!schema) {
    schema = load(schemas[name]);
    loaded.set(name, schema);
  }
  return schema;
}

/** The type `path` has in one schema (exact name first, then a dynamic prefix), or undefined. */
export function schemaFieldType(schema: FieldSchema, path: string): FieldType | undefined {
  const type = schema.types.get(path);
  if (type) return type;
  for (const [prefix, dynamicType] of schema.dynamic) {
    if (path.length > prefix.length && path.startsWith(prefix)) return dynamicType;
  }
  return undefined;
}

/** Where the schemas were built from (repository, commit, version, licence), for reports and docs. */
export function fieldSchemaSources(): Record<string, unknown> {
  return (generated as unknown as { sources: Record<string, unknown> }).sources;
}
