/**
 * Dataset descriptors (DESIGN.md, "Dataset descriptor"): `<file>.meta.yml` beside a dataset, or a
 * folder's `dataset.yml` for every file in it. Validated by a JSON Schema (unknown keys are
 * errors); every problem is a located diagnostic.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { Ajv, ErrorObject } from 'ajv';
import type { Document, LineCounter, Node } from 'yaml';
import { lazyAjv, lazyYaml } from '../util/lazy-modules.js';
import { ContentError, type Diagnostic } from '../util/diagnostics.js';
import { toPosixRelative } from '../util/paths.js';
import { isValidTimezone } from './time.js';
import type { DatasetDescriptor } from './types.js';
import schema from './descriptor.schema.json' with { type: 'json' };

let validator: ReturnType<Ajv['compile']> | undefined;
function validate(data: unknown): ErrorObject[] {
  if (!validator) validator = new (lazyAjv().Ajv)({ strict: true, allErrors: true }).compile(schema);
  return validator(data) ? [] : [...(validator.errors ?? [])];
}

export const DESCRIPTOR_KEYS = Object.keys(schema.properties);

/** Where a dataset's descriptor would be: `<file>.meta.yml`, else the folder's `dataset.yml`. */
export function descriptorPathFor(absDatasetPath: string): string | undefined {
  const own = `${absDatasetPath}.meta.yml`;
  if (existsSync(own)) return own;
  const folder = path.join(path.dirname(absDatasetPath), 'dataset.yml');
  if (existsSync(folder)) return folder;
  return undefined;
}

function position(doc: Document, counter: LineCounter, node: Node | null | undefined): { line: number; column: number } {
  const offset = node && node.range ? node.range[0] : 0;
  const pos = counter.linePos(offset);
  return { line: pos.line, column: pos.col };
}

/** The YAML node of a JSON pointer path (`/techniques/0`), or the key node of `key` in that map. */
function nodeAt(doc: Document, pointer: string, key?: string): Node | undefined {
  const segments = pointer === '' ? [] : pointer.slice(1).split('/').map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
  const target = segments.length ? (doc.getIn(segments.map((s) => (/^\d+$/.test(s) ? Number(s) : s)), true) as Node | undefined) : (doc.contents as Node | undefined);
  const { isMap, isPair, isScalar } = lazyYaml();
  if (key !== undefined && target && isMap(target)) {
    for (const item of target.items) {
      if (isPair(item) && isScalar(item.key) && item.key.value === key) return item.key as Node;
    }
  }
  return target ?? undefined;
}

function descriptorError(file: string, line: number, column: number, message: string, hint?: string): Diagnostic {
  return { file, line, column, severity: 'error', code: 'dataset/descriptor', message, ...(hint ? { hint } : {}) };
}

/**
 * Read and validate a descriptor file. Throws a ContentError (code `dataset/descriptor`) with the
 * first problem; `descriptorProblems` lists all of them (for lint-like listings).
 */
export function readDescriptor(absDescriptorPath: string, root: string): DatasetDescriptor {
  const problems = descriptorProblems(absDescriptorPath, root);
  if (problems.errors.length) throw new ContentError(problems.errors[0] as Diagnostic);
  return problems.descriptor;
}

export function descriptorProblems(absDescriptorPath: string, root: string): { descriptor: DatasetDescriptor; errors: Diagnostic[] } {
  const file = toPosixRelative(root, absDescriptorPath);
  const text = readFileSync(absDescriptorPath, 'utf8').replace(/^\uFEFF/, '');
  const { LineCounter: Counter, parseDocument } = lazyYaml();
  const counter = new Counter();
  const doc = parseDocument(text, { lineCounter: counter, prettyErrors: false });
  const errors: Diagnostic[] = [];
  if (doc.errors.length) {
    for (const e of doc.errors) {
      const pos = counter.linePos(e.pos[0]);
      errors.push(descriptorError(file, pos.line, pos.col, `YAML syntax error in the dataset descriptor: ${e.message.split('\n')[0]}`, 'Fix the YAML syntax.'));
    }
    return { descriptor: {}, errors };
  }
  let data: unknown;
  try {
    data = doc.toJS() ?? {};
  } catch (err) {
    // aliases are resolved here: an alias without its anchor, or too many alias uses
    const message = (err as Error).message.split('\n')[0] ?? '';
    const name = /: (\S+)$/.exec(message)?.[1];
    const pos = counter.linePos(Math.max(0, name ? text.indexOf(`*${name}`) : 0));
    return { descriptor: {}, errors: [descriptorError(file, pos.line, pos.col, `YAML error in the dataset descriptor: ${message}`, 'Define each anchor (&name) before its aliases (*name).')] };
  }
  for (const e of validate(data)) {
    if (e.keyword === 'additionalProperties') {
      const key = (e.params as { additionalProperty: string }).additionalProperty;
      const pos = position(doc, counter, nodeAt(doc, e.instancePath, key));
      errors.push(descriptorError(file, pos.line, pos.column, `unknown key "${key}" in the dataset descriptor`, `Allowed keys: ${DESCRIPTOR_KEYS.join(', ')}.`));
      continue;
    }
    const pos = position(doc, counter, nodeAt(doc, e.instancePath));
    const where = e.instancePath ? e.instancePath.slice(1).replace(/\//g, '.') : 'the descriptor';
    let hint: string | undefined;
    if (e.keyword === 'enum') hint = `Use one of: ${((e.params as { allowedValues: unknown[] }).allowedValues).join(', ')}.`;
    if (e.keyword === 'pattern') hint = 'ATT&CK technique ids look like T1021 or T1021.006.';
    if (e.instancePath === '' && e.keyword === 'type') hint = 'A descriptor is a YAML mapping of keys such as format, timezone, origin, license.';
    errors.push(descriptorError(file, pos.line, pos.column, `${where} ${e.message ?? 'is invalid'}`, hint));
  }
  if (!errors.length) {
    const d = data as DatasetDescriptor;
    if (d.timezone !== undefined && !isValidTimezone(d.timezone)) {
      const pos = position(doc, counter, nodeAt(doc, '/timezone'));
      errors.push(
        descriptorError(file, pos.line, pos.column, `unknown timezone "${d.timezone}"`, 'Use an IANA zone name (America/New_York) or a fixed offset such as -04:00.'),
      );
    }
  }
  errors.sort((a, b) => a.line - b.line || a.column - b.column);
  return { descriptor: errors.length ? {} : (data as DatasetDescriptor), errors };
}
