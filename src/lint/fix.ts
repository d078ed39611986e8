/**
 * `ruleproof lint --fix`: the ATT&CK findings that have one right answer, written back into the
 * rule files. Names become the catalogue's name for the id, reference URLs are rebuilt from the id,
 * and a revoked technique becomes its successor (when the successor fits the same slot: a technique
 * for a technique, a sub-technique of the same parent for a sub-technique).
 *
 * Every change is a minimal textual edit of one string value, located through the format's own
 * parser (yaml's Document API for native YAML, toml-eslint-parser for Elastic TOML), so comments,
 * key order, quoting style, flow mappings and line endings stay exactly as they were. Fixed values
 * equal what the checks expect, so a second run finds nothing to change.
 */
import { readFileSync } from 'node:fs';
import { isScalar, parseDocument, Scalar } from 'yaml';
import { parseTOML, type AST } from 'toml-eslint-parser';
import type { Rule } from '../rules/model.js';
import type { AttackCatalogue } from './attack/catalogue.js';
import { ruleAttackVersion } from './attack/version.js';
import { attackRefs, isAttack, type RefInContext } from './checks/attack-util.js';
import { attackUrl, sameUrl } from './checks/attack-reference-url.js';

/** One value to set: the path of its key in the rule document, and the new string. */
interface ValueFix {
  path: (string | number)[];
  value: string;
  description: string;
}

export interface AppliedFix {
  line: number;
  column: number;
  description: string;
}

export interface FileFix {
  /** Repository-relative path. */
  file: string;
  absPath: string;
  original: string;
  fixed: string;
  fixes: AppliedFix[];
}

const FIXABLE_FORMATS = new Set(['native', 'elastic-toml', 'sigma']);

/** The fixes for every fixable rule file (files with nothing to fix are left out); nothing is written. */
export function computeFixes(rules: readonly Rule[], attack: AttackCatalogue, readText: (absPath: string) => string = (p) => readFileSync(p, 'utf8')): FileFix[] {
  const byFile = new Map<string, Rule[]>();
  for (const rule of rules) {
    // History files record what shipped; rewriting them would falsify it.
    if (rule.historical || !FIXABLE_FORMATS.has(rule.format)) continue;
    const list = byFile.get(rule.source.file) ?? [];
    list.push(rule);
    byFile.set(rule.source.file, list);
  }
  const out: FileFix[] = [];
  for (const [file, fileRules] of [...byFile].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    // Each rule is fixed against its own ATT&CK release (declared, inferred from 19-only ids, or configured).
    const wanted = fileRules.flatMap((r) => {
      const release = ruleAttackVersion(r, attack).catalogue;
      return [...attackFixes(r, release), ...tagFixes(r, release)];
    });
    if (!wanted.length) continue;
    const rule = fileRules[0]!;
    const original = readText(rule.source.absPath);
    const result = rule.format === 'elastic-toml' ? applyToml(original, wanted) : applyYaml(original, wanted);
    if (result && result.fixed !== original) out.push({ file, absPath: rule.source.absPath, original, ...result });
  }
  return out;
}

function segments(path: string): (string | number)[] {
  return path.split('.').map((s) => (/^\d+$/.test(s) ? Number(s) : s));
}

function attackFixes(rule: Rule, attack: AttackCatalogue): ValueFix[] {
  const fixes: ValueFix[] = [];
  for (const entry of attackRefs(rule)) {
    if (!isAttack(entry.mapping)) continue;
    const { kind, ref } = entry;
    const at = segments(ref.path);
    const set = (key: string, value: string, description: string) => fixes.push({ path: [...at, key], value, description });
    const current = kind === 'tactic' ? attack.tactic(ref.id) : attack.technique(ref.id);
    if (!current) continue;
    let id = current.id;
    let name = current.name;
    if (kind !== 'tactic' && 'revoked' in current && current.revoked) {
      const successor = attack.successor(current.id);
      if (!successor || !fitsSlot(entry, successor.id, successor.parent)) continue;
      set('id', successor.id, `${ref.id} is revoked: replaced by its successor ${successor.id}`);
      id = successor.id;
      name = successor.name;
    }
    if (ref.name !== name) set('name', name, `name of ${id} set to "${name}" (ATT&CK ${attack.version})`);
    const url = attackUrl(kind, id);
    if (ref.reference !== undefined && (id !== ref.id || !sameUrl(ref.reference, url))) set('reference', url, `reference of ${id} rebuilt from its id`);
  }
  return fixes;
}

/**
 * Tags re-cased: Sigma's `attack.*` tags are lower case by convention (`attack.T1059` → `attack.t1059`),
 * and an Elastic-style `Tactic:` tag names its tactic as ATT&CK spells it (`Tactic: lateral movement`).
 */
function tagFixes(rule: Rule, attack: AttackCatalogue): ValueFix[] {
  const base = rule.format === 'elastic-toml' ? ['rule', 'tags'] : ['tags'];
  const fixes: ValueFix[] = [];
  rule.tags.forEach((tag, i) => {
    let fixed = tag;
    if (rule.format === 'sigma' && /^attack\./i.test(tag)) fixed = tag.toLowerCase();
    const tactic = /^Tactic:\s*(.+)$/i.exec(tag);
    if (tactic) {
      const entry = attack.tacticByName(tactic[1]!.trim());
      if (entry) fixed = `Tactic: ${entry.name}`;
    }
    if (fixed !== tag) fixes.push({ path: [...base, i], value: fixed, description: `tag "${tag}" re-cased to "${fixed}"` });
  });
  return fixes;
}

/** A successor replaces an entry only where it belongs: a technique slot, or under the same parent. */
function fitsSlot(entry: RefInContext, successorId: string, successorParent: string | undefined): boolean {
  if (entry.kind === 'technique') return !successorParent && !successorId.includes('.');
  const parent = entry.mapping.technique?.id.trim().toUpperCase();
  return !!successorParent && successorParent.toUpperCase() === parent;
}

interface Edit {
  start: number;
  end: number;
  text: string;
  fix: ValueFix;
}

function applyEdits(text: string, edits: Edit[]): { fixed: string; fixes: AppliedFix[] } {
  const sorted = [...edits].sort((a, b) => a.start - b.start);
  const fixes: AppliedFix[] = [];
  let fixed = '';
  let cursor = 0;
  for (const e of sorted) {
    if (e.start < cursor) continue; // two fixes of one value: the first wins
    fixed += text.slice(cursor, e.start) + e.text;
    cursor = e.end;
    const before = text.slice(0, e.start);
    const line = before.split('\n').length;
    fixes.push({ line, column: e.start - (before.lastIndexOf('\n') + 1) + 1, description: e.fix.description });
  }
  return { fixed: fixed + text.slice(cursor), fixes };
}

// ---- native YAML ----

const PLAIN_SAFE = /^[A-Za-z0-9][A-Za-z0-9 ()/&._:'-]*$/;

function yamlString(value: string, style: Scalar['type']): string {
  if (style === Scalar.QUOTE_SINGLE && !/[\n']/.test(value)) return `'${value}'`;
  const plainOk = PLAIN_SAFE.test(value) && !/: | #|[: ]$/.test(value) && !/^(true|false|null|yes|no|on|off|~|[-+.\d][\d._:eE+-]*)$/i.test(value);
  if (style === Scalar.PLAIN && plainOk) return value;
  return JSON.stringify(value);
}

function applyYaml(text: string, wanted: ValueFix[]): { fixed: string; fixes: AppliedFix[] } | undefined {
  const doc = parseDocument(text);
  if (doc.errors.length) return undefined;
  const edits: Edit[] = [];
  for (const fix of wanted) {
    const node = doc.getIn(fix.path, true);
    if (!isScalar(node) || !node.range || typeof node.value !== 'string' || node.value === fix.value) continue;
    const style = node.type ?? Scalar.PLAIN;
    if (style !== Scalar.PLAIN && style !== Scalar.QUOTE_DOUBLE && style !== Scalar.QUOTE_SINGLE) continue;
    edits.push({ start: node.range[0], end: node.range[1], text: yamlString(fix.value, style), fix });
  }
  const result = applyEdits(text, edits);
  // Never write a file the loader would then reject.
  const check = parseDocument(result.fixed);
  return check.errors.length ? undefined : result;
}

// ---- Elastic TOML ----

function tomlStrings(ast: AST.TOMLProgram): Map<string, AST.TOMLStringValue> {
  const out = new Map<string, AST.TOMLStringValue>();
  const visitValue = (node: AST.TOMLContentNode, path: (string | number)[]) => {
    if (node.type === 'TOMLValue' && node.kind === 'string') out.set(path.join('.'), node);
    else if (node.type === 'TOMLArray') node.elements.forEach((el, i) => visitValue(el, [...path, i]));
    else if (node.type === 'TOMLInlineTable') for (const kv of node.body) visitKeyValue(kv, path);
  };
  const visitKeyValue = (kv: AST.TOMLKeyValue, prefix: (string | number)[]) =>
    visitValue(kv.value, [...prefix, ...kv.key.keys.map((k) => (k.type === 'TOMLBare' ? k.name : k.value))]);
  for (const node of ast.body[0].body) {
    if (node.type === 'TOMLKeyValue') visitKeyValue(node, []);
    else for (const kv of node.body) visitKeyValue(kv, node.resolvedKey);
  }
  return out;
}

function applyToml(text: string, wanted: ValueFix[]): { fixed: string; fixes: AppliedFix[] } | undefined {
  let ast: AST.TOMLProgram;
  try {
    ast = parseTOML(text);
  } catch {
    return undefined;
  }
  const strings = tomlStrings(ast);
  const edits: Edit[] = [];
  for (const fix of wanted) {
    const node = strings.get(fix.path.join('.'));
    if (!node || node.multiline || node.value === fix.value) continue;
    const literal = node.style === 'literal' && !/['\n\r]/.test(fix.value);
    edits.push({ start: node.range[0], end: node.range[1], text: literal ? `'${fix.value}'` : JSON.stringify(fix.value), fix });
  }
  const result = applyEdits(text, edits);
  try {
    parseTOML(result.fixed);
  } catch {
    return undefined;
  }
  return result;
}
