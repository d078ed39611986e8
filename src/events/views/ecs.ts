/**
 * The `ecs` field view: canonical names bind to themselves, typed from the generated field schemas
 * (ECS plus the `winlog.*`, `powershell.*`, `sysmon.*` fields of Elastic's Windows integration), so
 * the engine compares ports as numbers, IPs as addresses and dates as time.
 */
import type { FieldBinder, FieldBinding, FieldType } from '../types.js';
import { fieldSchema, schemaFieldType } from './field-schemas.js';

const ECS = fieldSchema('ecs');
const WINDOWS = fieldSchema('windows');

/** The ECS type of a canonical field, or undefined when ECS (and the Windows integration) does not define it. */
export function ecsFieldType(path: string): FieldType | undefined {
  // The Windows integration refines a few ECS-shaped names, so it is asked first.
  return schemaFieldType(WINDOWS, path) ?? schemaFieldType(ECS, path);
}

let names: string[] | undefined;
/** Every field name ECS and the Windows integration define (not the dynamic prefixes), sorted. */
export function ecsFieldNames(): string[] {
  names ??= [...new Set([...ECS.types.keys(), ...WINDOWS.types.keys()])].sort();
  return [...names];
}

export const ecsBinder: FieldBinder = {
  name: 'ecs',
  bind(name: string): FieldBinding {
    const type = ecsFieldType(name);
    return type ? { path: name, type, known: true } : { path: name, type: 'unknown', known: false };
  },
};
