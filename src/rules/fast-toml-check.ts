/**
 * Differential check of the fast TOML reader against toml-eslint-parser: for one text, the fast
 * reader must either decline or give the same data, key positions and string starts as the
 * parser's AST (walked the way `elastic-toml.ts` walks it). Used by `test/rules/fast-toml.test.ts`
 * and `scripts/fast-toml-mirror.mjs`.
 */
import { getStaticTOMLValue, parseTOML, type AST } from 'toml-eslint-parser';
import { fastParseToml } from './fast-toml.js';
import type { Position } from './model.js';

export type FastTomlCheck = { outcome: 'declined' | 'same' } | { outcome: 'mismatch' | 'accepted-invalid'; detail: string };

export function checkFastToml(text: string): FastTomlCheck {
  const fast = fastParseToml(text);
  if (!fast) return { outcome: 'declined' };
  let ast: AST.TOMLProgram;
  try {
    ast = parseTOML(text);
  } catch (e) {
    return { outcome: 'accepted-invalid', detail: (e as Error).message };
  }
  const data = getStaticTOMLValue(ast);
  const dataDiff = deepDiff(fast.data, data, '$');
  if (dataDiff) return { outcome: 'mismatch', detail: `data ${dataDiff}` };
  const positions = new Map<string, Position>();
  const strings = new Map<string, { start: number; line: number; column: number; multiline: boolean }>();
  const mark = (path: (string | number)[], loc: AST.SourceLocation) => {
    for (let n = 1; n <= path.length; n++) {
      const key = path.slice(0, n).join('.');
      if (!positions.has(key)) positions.set(key, { line: loc.start.line, column: loc.start.column + 1 });
    }
  };
  const visitValue = (node: AST.TOMLContentNode, path: (string | number)[]) => {
    if (node.type === 'TOMLValue' && node.kind === 'string') strings.set(path.join('.'), { start: node.range[0], line: node.loc.start.line, column: node.loc.start.column, multiline: node.multiline });
    if (node.type === 'TOMLArray') {
      node.elements.forEach((element, i) => {
        mark([...path, i], element.loc);
        visitValue(element, [...path, i]);
      });
    } else if (node.type === 'TOMLInlineTable') for (const kv of node.body) visitKeyValue(kv, path);
  };
  const visitKeyValue = (kv: AST.TOMLKeyValue, prefix: (string | number)[]) => {
    const path = [...prefix, ...kv.key.keys.map((k) => (k.type === 'TOMLBare' ? k.name : k.value))];
    mark(path, kv.key.loc);
    visitValue(kv.value, path);
  };
  for (const node of ast.body[0].body) {
    if (node.type === 'TOMLKeyValue') visitKeyValue(node, []);
    else {
      mark(node.resolvedKey, node.loc);
      for (const kv of node.body) visitKeyValue(kv, node.resolvedKey);
    }
  }
  const differs = firstDifference('position', fast.positions, positions) ?? firstDifference('string start', fast.strings, strings);
  return differs ? { outcome: 'mismatch', detail: differs } : { outcome: 'same' };
}

/** The first entry where two maps differ (in order), described; undefined when they are equal. */
function firstDifference(what: string, fast: Iterable<unknown>, reference: Iterable<unknown>): string | undefined {
  const fa = [...fast];
  const fb = [...reference];
  if (JSON.stringify(fa) === JSON.stringify(fb)) return undefined;
  const i = fa.findIndex((e, n) => JSON.stringify(e) !== JSON.stringify(fb[n]));
  const at = i < 0 ? fa.length : i;
  return `${what} ${JSON.stringify(fa[at])} ≠ ${JSON.stringify(fb[at])}`;
}

function deepDiff(a: unknown, b: unknown, path: string): string | undefined {
  if (Object.is(a, b)) return undefined;
  if (typeof a !== typeof b || a === null || b === null || typeof a !== 'object') return `${path}: ${JSON.stringify(a)} ≠ ${String(b)}`;
  if (Array.isArray(a) !== Array.isArray(b)) return `${path}: array ≠ object`;
  if (Object.getPrototypeOf(a) !== Object.getPrototypeOf(b)) return `${path}: prototypes differ`;
  const ka = Object.keys(a as object);
  const kb = Object.keys(b as object);
  if (ka.join('\u0000') !== kb.join('\u0000')) return `${path}: keys ${JSON.stringify(ka)} ≠ ${JSON.stringify(kb)}`;
  for (const k of ka) {
    const d = deepDiff((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k], `${path}.${k}`);
    if (d) return d;
  }
  return undefined;
}
