/**
 * JSON Schema validation of the Splunk ESCU and MITRE CAR documents (`schema/escu-*.json`,
 * `schema/car-*.json`), with each error turned into a located diagnostic.
 */
import type { Ajv, ErrorObject, ValidateFunction } from 'ajv';
import type { Diagnostic } from '../util/diagnostics.js';
import { lazyAjv } from '../util/lazy-modules.js';
import { readJsonAsset } from './assets.js';
import type { Position } from './model.js';
import { precompiledValidator } from './precompiled.js';

export type ForeignSchema = 'escu-detection' | 'escu-macro' | 'escu-settings' | 'car-analytic';

let ajv: Ajv | undefined;
const validators = new Map<ForeignSchema, ValidateFunction>();

/** The validator of a schema: compiled ahead of time (`./precompiled.ts`), or here if that code is out of date. */
export function validator(name: ForeignSchema): ValidateFunction {
  let v = validators.get(name);
  if (v) return v;
  v = precompiledValidator('foreign-validators.generated.cjs', `${name}.schema.json`) ?? runtimeForeignValidator(name);
  validators.set(name, v);
  return v;
}

/** A schema compiled at run time, with the options the generated code was built with (also for tests). */
export function runtimeForeignValidator(name: ForeignSchema): ValidateFunction {
  ajv ??= new (lazyAjv().Ajv)({ strict: false, allErrors: true, allowUnionTypes: true });
  return ajv.getSchema(`https://ruleproof.dev/schema/${name}.schema.json`) ?? ajv.compile(readJsonAsset<object>('rules', 'schema', `${name}.schema.json`));
}

function locateIn(positions: Map<string, Position>, segments: string[]): Position {
  for (let n = segments.length; n > 0; n--) {
    const pos = positions.get(segments.slice(0, n).join('.'));
    if (pos) return pos;
  }
  return { line: 1, column: 1 };
}

function describe(error: ErrorObject, segments: string[]): { message: string; hint?: string; at: string[] } {
  const where = segments.length ? `"${segments.join('.')}"` : 'the document';
  const params = error.params as Record<string, unknown>;
  switch (error.keyword) {
    case 'required':
      return { message: `missing required key "${String(params.missingProperty)}" in ${where}`, hint: `Add "${String(params.missingProperty)}".`, at: segments };
    case 'additionalProperties':
      return { message: `unknown key "${String(params.additionalProperty)}" in ${where}`, hint: 'Remove it, or check its spelling.', at: [...segments, String(params.additionalProperty)] };
    case 'type':
      return { message: `${where} must be ${String(params.type).replace(',', ' or ')}`, at: segments };
    case 'enum':
      return { message: `${where} must be one of: ${(params.allowedValues as unknown[]).join(', ')}`, at: segments };
    default:
      return { message: `${where} ${error.message ?? 'is invalid'}`, at: segments };
  }
}

export function validateSchema(name: ForeignSchema, data: unknown, file: string, positions: Map<string, Position>): Diagnostic[] {
  const validate = validator(name);
  if (validate(data)) return [];
  const seen = new Set<string>();
  const out: Diagnostic[] = [];
  for (const error of validate.errors ?? []) {
    const segments = error.instancePath.split('/').slice(1).map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
    const d = describe(error, segments);
    const pos = locateIn(positions, d.at);
    const key = `${pos.line}:${pos.column}:${d.message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push({ file, line: pos.line, column: pos.column, severity: 'error', code: 'load/schema', message: d.message, ...(d.hint ? { hint: d.hint } : {}) });
  }
  return out;
}
