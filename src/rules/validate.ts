/**
 * JSON Schema validation (ajv, strict) of the YAML formats, with every error turned into a located
 * diagnostic: unknown keys at the key's own line with the allowed keys in the hint, everything else
 * at the offending field (or its nearest ancestor that has a position). The schemas are compiled
 * ahead of time (`./precompiled.ts`); ajv itself is loaded only if that code is out of date.
 */
import type { Ajv, ErrorObject, ValidateFunction } from 'ajv';
import type { Diagnostic } from '../util/diagnostics.js';
import { lazyAjv } from '../util/lazy-modules.js';
import { readJsonAsset } from './assets.js';
import type { Position } from './model.js';
import { precompiledValidator } from './precompiled.js';

export type SchemaName = 'native-rule' | 'sidecar-tests' | 'test-case';

let ajv: Ajv | undefined;
const validators = new Map<SchemaName, ValidateFunction>();
/** verbose: errors carry the schema and data, which the messages and hints quote. Same in scripts/build-validators.mjs. */
const AJV_OPTIONS = { strict: true, allErrors: true, verbose: true, allowUnionTypes: true } as const;

function schemaFile(name: SchemaName): string {
  return `${name}.schema.json`;
}

const SCHEMA_BASE = 'https://ruleproof.dev/schema/';
/** The ahead-of-time code of these schemas (scripts/build-validators.mjs). */
const GENERATED = 'validators.generated.cjs';

/** The schemas of the native formats, registered together (test cases are referenced by sidecars and rules). */
const SCHEMAS: readonly SchemaName[] = ['test-case', 'native-rule', 'sidecar-tests'];

function getValidator(name: SchemaName): ValidateFunction {
  const cached = validators.get(name);
  if (cached) return cached;
  // Compiled ahead of time (scripts/build-validators.mjs); at start-up it cost about 0.1 s per run.
  const ahead = precompiledValidator(GENERATED, schemaFile(name));
  if (ahead) {
    validators.set(name, ahead);
    return ahead;
  }
  ajv ??= compileSchemas();
  const validate = ajv.getSchema(SCHEMA_BASE + schemaFile(name));
  if (!validate) throw new Error(`ruleproof: schema ${name} is not registered`);
  validators.set(name, validate);
  return validate;
}

function compileSchemas(): Ajv {
  const compiled = new (lazyAjv().Ajv)(AJV_OPTIONS);
  for (const n of SCHEMAS) compiled.addSchema(readJsonAsset<object>('rules', 'schema', schemaFile(n)));
  return compiled;
}

/** A schema compiled at run time, as `validateAgainst` does when no ahead-of-time validator applies (for tests). */
export function runtimeValidator(name: SchemaName): ValidateFunction {
  const validate = compileSchemas().getSchema(SCHEMA_BASE + schemaFile(name));
  if (!validate) throw new Error(`ruleproof: schema ${name} is not registered`);
  return validate;
}

/** The validator `validateAgainst` uses for a schema, and whether it was compiled ahead of time. */
export function validatorFor(name: SchemaName): { validate: ValidateFunction; precompiled: boolean } {
  const validate = getValidator(name);
  return { validate, precompiled: validate === precompiledValidator(GENERATED, schemaFile(name)) };
}

/** The keys a schema allows at the top level (for documentation and hints). */
export function allowedKeys(name: SchemaName): string[] {
  const schema = readJsonAsset<{ properties?: Record<string, unknown> }>('rules', 'schema', schemaFile(name));
  return Object.keys(schema.properties ?? {});
}

export function validateAgainst(
  name: SchemaName,
  data: unknown,
  file: string,
  positions: Map<string, Position>,
  pathPrefix: (string | number)[] = [],
): Diagnostic[] {
  const validate = getValidator(name);
  if (validate(data)) return [];
  const diagnostics: Diagnostic[] = [];
  for (const error of validate.errors ?? []) {
    const d = toDiagnostic(error, file, positions, pathPrefix);
    if (d) diagnostics.push(d);
  }
  return diagnostics;
}

function instanceSegments(error: ErrorObject, prefix: (string | number)[]): string[] {
  const own = error.instancePath
    .split('/')
    .slice(1)
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
  return [...prefix.map(String), ...own];
}

function locateIn(positions: Map<string, Position>, segments: string[]): Position {
  for (let n = segments.length; n > 0; n--) {
    const pos = positions.get(segments.slice(0, n).join('.'));
    if (pos) return pos;
  }
  return { line: 1, column: 1 };
}

function describePlace(segments: string[]): string {
  return segments.length ? `in "${segments.join('.')}"` : 'at the top level';
}

function fieldName(segments: string[]): string {
  return segments.length ? `"${segments.join('.')}"` : 'the document';
}

function show(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  return String(value);
}

function typeWord(type: unknown): string {
  const one = (t: string) => ({ object: 'a mapping', array: 'a list', integer: 'an integer', string: 'a string', number: 'a number', boolean: 'true or false' })[t] ?? t;
  return Array.isArray(type) ? type.map((t) => one(String(t))).join(' or ') : one(String(type));
}

function typeHint(type: unknown, data: unknown): string {
  if (typeof data === 'string' && /^-?\d+$/.test(data)) return 'Remove the quotes: numbers are written unquoted.';
  if (type === 'string' && typeof data === 'object' && data !== null && !Array.isArray(data) && Object.keys(data).length === 1) {
    const [key, value] = Object.entries(data)[0]!;
    return `Quote the value ("${key}: ${String(value)}"): unquoted, YAML reads "key: value" as a mapping.`;
  }
  return `Write ${typeWord(type)} here.`;
}

function toDiagnostic(error: ErrorObject, file: string, positions: Map<string, Position>, prefix: (string | number)[]): Diagnostic | undefined {
  const segments = instanceSegments(error, prefix);
  const base = (at: string[], code: string, message: string, hint?: string): Diagnostic => {
    const pos = locateIn(positions, at);
    return { file, line: pos.line, column: pos.column, severity: 'error', code, message, ...(hint ? { hint } : {}) };
  };
  const params = error.params as Record<string, unknown>;
  switch (error.keyword) {
    case 'if':
      // Reported through the `then` branch's own error (e.g. the missing `reason`).
      return undefined;
    case 'additionalProperties': {
      const key = String(params.additionalProperty);
      const allowed = Object.keys((error.parentSchema as { properties?: object } | undefined)?.properties ?? {});
      const guess = closest(key, allowed);
      return base(
        [...segments, key],
        'load/unknown-key',
        `unknown key "${key}" ${describePlace(segments)}`,
        `${guess ? `Did you mean "${guess}"? ` : ''}Allowed keys here: ${allowed.join(', ')}.`,
      );
    }
    case 'required': {
      const missing = String(params.missingProperty);
      const quietReason = missing === 'reason' && (error.data as { expect?: unknown } | undefined)?.expect === 'quiet';
      return base(
        segments,
        'load/schema',
        quietReason ? `quiet test ${describePlace(segments)} has no "reason"` : `missing required key "${missing}" ${describePlace(segments)}`,
        quietReason ? 'Say why the rule must stay quiet on this dataset (reason: ...).' : `Add "${missing}".`,
      );
    }
    case 'enum': {
      const allowed = (params.allowedValues as unknown[]).map((v) => String(v));
      const guess = typeof error.data === 'string' ? closest(error.data, allowed) : undefined;
      return base(
        segments,
        'load/schema',
        `${fieldName(segments)} must be one of ${allowed.join(', ')} (found ${show(error.data)})`,
        guess ? `Did you mean "${guess}"?` : `Use one of: ${allowed.join(', ')}.`,
      );
    }
    case 'const':
      return base(segments, 'load/schema', `${fieldName(segments)} must be ${show(params.allowedValue)} (found ${show(error.data)})`, `Write ${show(params.allowedValue)}.`);
    case 'type':
      return base(
        segments,
        'load/schema',
        `${fieldName(segments)} must be ${typeWord(params.type)} (found ${show(error.data)})`,
        typeHint(params.type, error.data),
      );
    case 'minimum':
    case 'maximum':
      return base(segments, 'load/schema', `${fieldName(segments)} must be ${params.comparison} ${params.limit} (found ${show(error.data)})`, 'Use a value in the allowed range.');
    case 'minLength':
      return base(segments, 'load/schema', `${fieldName(segments)} must not be empty`, 'Write a value, or remove the key.');
    case 'minProperties':
      return base(segments, 'load/schema', `${fieldName(segments)} must not be an empty mapping`, 'Write at least one entry, or remove the key.');
    case 'pattern': {
      const description = (error.parentSchema as { description?: string } | undefined)?.description;
      return base(segments, 'load/schema', `${fieldName(segments)} has an invalid format (found ${show(error.data)})`, description);
    }
    case 'dependencies':
      return base(
        segments,
        'load/schema',
        `"${params.property}" needs "${params.missingProperty}" beside it ${describePlace(segments)}`,
        `A ${String(params.property)} is listed under its parent ${String(params.missingProperty)}: add the ${String(params.missingProperty)}.`,
      );
    default:
      return base(segments, 'load/schema', `${fieldName(segments)} ${error.message ?? 'is invalid'}`, 'See src/rules/schema/ for the format definition.');
  }
}

/** The allowed key nearest to a misspelt one (edit distance at most 2, or a case difference). */
export function closest(word: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const c of candidates) {
    const d = c.toLowerCase() === word.toLowerCase() ? 0 : editDistance(word, c);
    if (d < bestDistance) {
      best = c;
      bestDistance = d;
    }
  }
  return bestDistance <= Math.max(2, Math.floor(word.length / 4)) ? best : undefined;
}

export function editDistance(a: string, b: string): number {
  const previous = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let diagonal = previous[0]!;
    previous[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const above = previous[j]!;
      previous[j] = Math.min(above + 1, previous[j - 1]! + 1, diagonal + (a[i - 1] === b[j - 1] ? 0 : 1));
      diagonal = above;
    }
  }
  return previous[b.length]!;
}
