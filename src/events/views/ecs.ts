/**
 * The `ecs` field view: canonical names bind to themselves, typed from the ECS table
 * (`ecs-fields.json`), so the engine compares ports as numbers, IPs as addresses and dates as time.
 */
import type { FieldBinder, FieldBinding, FieldType } from '../types.js';
import table from './ecs-fields.json' with { type: 'json' };

interface EcsTable {
  fieldsets: Record<string, Record<string, string>>;
  nest: Record<string, string[]>;
  fields: Record<string, string>;
  dynamic: Record<string, string>;
}

function buildTypes(t: EcsTable): Map<string, FieldType> {
  const types = new Map<string, FieldType>();
  for (const [fieldset, prefixes] of Object.entries(t.nest)) {
    const fields = t.fieldsets[fieldset];
    if (!fields) throw new Error(`ecs-fields.json: nest names unknown fieldset ${fieldset}`);
    for (const prefix of prefixes) {
      for (const [name, type] of Object.entries(fields)) types.set(`${prefix}.${name}`, type as FieldType);
    }
  }
  // Absolute entries win over reused fieldsets (e.g. a field that only exists at one place).
  for (const [name, type] of Object.entries(t.fields)) types.set(name, type as FieldType);
  return types;
}

const ecsTable = table as EcsTable;
const FIELD_TYPES = buildTypes(ecsTable);
/** Longest prefix first, so a more specific dynamic prefix wins. */
const DYNAMIC = Object.entries(ecsTable.dynamic).sort((a, b) => b[0].length - a[0].length) as Array<[string, FieldType]>;

/** The ECS type of a canonical field, or undefined when ECS (and the Windows integration) does not define it. */
export function ecsFieldType(path: string): FieldType | undefined {
  const t = FIELD_TYPES.get(path);
  if (t) return t;
  for (const [prefix, type] of DYNAMIC) {
    if (path.length > prefix.length && path.startsWith(prefix)) return type;
  }
  return undefined;
}

/** Every field name the table defines (not the dynamic prefixes), sorted. */
export function ecsFieldNames(): string[] {
  return [...FIELD_TYPES.keys()].sort();
}

export const ecsBinder: FieldBinder = {
  name: 'ecs',
  bind(name: string): FieldBinding {
    const type = ecsFieldType(name);
    return type ? { path: name, type, known: true } : { path: name, type: 'unknown', known: false };
  },
};
