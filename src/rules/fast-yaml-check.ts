/**
 * Differential check of the fast YAML reader against `yaml`: for one text, the fast reader must
 * either decline or give the same data, node kinds, scalar types and sources, and ranges as
 * `yaml`'s `parseDocument`. Used by `test/rules/fast-yaml.test.ts` and `scripts/fast-yaml-mirrors.mjs`.
 */
import { isMap, isScalar, isSeq, parseDocument, type Node } from 'yaml';
import { fastParseYaml, type FastNode } from './fast-yaml.js';

export type FastYamlCheck = { outcome: 'declined' | 'same' } | { outcome: 'mismatch'; detail: string } | { outcome: 'accepted-invalid'; detail: string };

export function checkFastYaml(text: string): FastYamlCheck {
  const fast = fastParseYaml(text);
  if (!fast) return { outcome: 'declined' };
  const doc = parseDocument(text, { prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length) return { outcome: 'accepted-invalid', detail: doc.errors[0]?.message ?? '' };
  if (doc.warnings.length) return { outcome: 'accepted-invalid', detail: `warning: ${doc.warnings[0]?.message ?? ''}` };
  let data: unknown;
  try {
    data = doc.toJS({ maxAliasCount: 100 });
  } catch (e) {
    return { outcome: 'accepted-invalid', detail: (e as Error).message };
  }
  const dataDiff = deepDiff(fast.data, data, '$');
  if (dataDiff) return { outcome: 'mismatch', detail: `data ${dataDiff}` };
  if (!sameRange(fast.range, doc.range)) return { outcome: 'mismatch', detail: `document range ${JSON.stringify(fast.range)} ≠ ${JSON.stringify(doc.range)}` };
  const nodeDiff = compareNodes(fast.root, doc.contents as Node, '$', text);
  if (nodeDiff) return { outcome: 'mismatch', detail: nodeDiff };
  return { outcome: 'same' };
}

function sameRange(a: readonly number[] | undefined, b: readonly number[] | null | undefined): boolean {
  return !!a && !!b && a[0] === b[0] && a[1] === b[1] && a[2] === b[2];
}

function lineColumn(text: string, offset: number): { line: number; column: number } {
  const before = text.slice(0, offset);
  const line = before.split('\n').length;
  return { line, column: offset - (before.lastIndexOf('\n') + 1) + 1 };
}

function compareNodes(fast: FastNode, node: Node | null, path: string, text: string): string | undefined {
  if (!node) return `${path}: yaml has no node`;
  if (!sameRange(fast.range, node.range)) return `${path}: range ${JSON.stringify(fast.range)} ≠ ${JSON.stringify(node.range)}`;
  const lc = lineColumn(text, fast.range[0]);
  if (lc.line !== fast.position.line || lc.column !== fast.position.column) return `${path}: position ${fast.position.line}:${fast.position.column} ≠ ${lc.line}:${lc.column}`;
  if (fast.kind === 'scalar') {
    if (!isScalar(node)) return `${path}: scalar ≠ ${node.constructor.name}`;
    if ((node.type ?? 'PLAIN') !== fast.type) return `${path}: type ${fast.type} ≠ ${String(node.type)}`;
    if (node.source !== fast.source) return `${path}: source ${JSON.stringify(fast.source)} ≠ ${JSON.stringify(node.source)}`;
    return deepDiff(fast.value, node.value, path);
  }
  if (fast.kind === 'seq') {
    if (!isSeq(node)) return `${path}: seq ≠ ${node.constructor.name}`;
    if (node.items.length !== fast.items.length) return `${path}: ${fast.items.length} items ≠ ${node.items.length}`;
    for (let i = 0; i < fast.items.length; i++) {
      const d = compareNodes(fast.items[i] as FastNode, node.items[i] as Node, `${path}[${i}]`, text);
      if (d) return d;
    }
    return undefined;
  }
  if (!isMap(node)) return `${path}: map ≠ ${node.constructor.name}`;
  if (node.items.length !== fast.keys.length) return `${path}: ${fast.keys.length} pairs ≠ ${node.items.length}`;
  for (let i = 0; i < fast.keys.length; i++) {
    const pair = node.items[i];
    const k = fast.keys[i] as FastNode;
    const d = compareNodes(k, pair?.key as Node, `${path}.<key ${i}>`, text) ?? compareNodes(fast.values[i] as FastNode, pair?.value as Node, `${path}.${String((fast.keys[i] as { value: unknown }).value)}`, text);
    if (d) return d;
  }
  return undefined;
}

function deepDiff(a: unknown, b: unknown, path: string): string | undefined {
  if (Object.is(a, b)) return undefined;
  if (typeof a !== typeof b || a === null || b === null || typeof a !== 'object') return `${path}: ${show(a)} ≠ ${show(b)}`;
  if (Array.isArray(a) !== Array.isArray(b)) return `${path}: array ≠ object`;
  const ka = Object.keys(a as object);
  const kb = Object.keys(b as object);
  if (ka.join('\u0000') !== kb.join('\u0000')) return `${path}: keys ${JSON.stringify(ka)} ≠ ${JSON.stringify(kb)}`;
  if (Object.getPrototypeOf(a) !== Object.getPrototypeOf(b)) return `${path}: prototypes differ`;
  for (const k of ka) {
    const d = deepDiff((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k], `${path}.${k}`);
    if (d) return d;
  }
  return undefined;
}

function show(v: unknown): string {
  return typeof v === 'number' ? String(v) : JSON.stringify(v) ?? String(v);
}
