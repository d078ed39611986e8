/**
 * A Sigma rule's `logsource` and `detection` → one IR condition (`../ir.ts`).
 *
 * The detection is first read into search items (independent of the log source), then lowered once
 * per log source variant (Sysmon 1, Security 4688, …) with that variant's field renames and value
 * renderings, behind the variant's gate (channel, EventID, extra conditions). Variants are OR-ed.
 *
 * Field names in the IR are canonical paths (`winlog.event_data.Image`); `#num:` in front of one asks
 * the binder for a numeric comparison (`lt`/`gt` on text that holds a number).
 */
import type { Node, Pair, Scalar as YamlScalar, YAMLMap, YAMLSeq } from 'yaml';
import {
  INTEGRITY_SIDS,
  KNOWN_SIGMA_FIELDS,
  SYSTEM_FIELDS,
  resolveLogsource,
  resolveSigmaField,
  type FieldSource,
  type LogsourceSpec,
  type LogsourceVariant,
} from '../../events/views/sigma.js';
import type { Expr, FieldRef, MatchExpr, Scalar, Span } from '../ir.js';
import { ConditionError, identifiersOf, parseCondition, type CondNode } from './condition.js';
import { SigmaDocumentError, isMap, isScalar, isSeq, type SigmaDoc } from './document.js';
import { convertSigmaRegex, SigmaRegexError } from './regex.js';
import { ANY, ONE, SigmaValueError, applyModifiers, hasWildcards, literalText, parseSigmaString, type ItemFlags, type Part, type Placeholders, type SValue } from './values.js';

export const NUMERIC_PREFIX = '#num:';

// ---------------------------------------------------------------------------------------------
// Search items, as written.

export type SearchItem =
  | { kind: 'and' | 'or'; items: SearchItem[]; span: Span }
  | { kind: 'field'; field: string; values: SValue[][]; flags: ItemFlags; span: Span; fieldSpan: Span }
  | { kind: 'keyword'; values: SValue[][]; flags: ItemFlags; span: Span };

export interface ParsedDetection {
  /** Identifier → search, in the order written. */
  searches: Map<string, SearchItem>;
  /** Identifier → span of its key. */
  identifierSpans: Map<string, Span>;
  conditions: Array<{ node: CondNode; offset: number }>;
  /** Every field name used, with the span of its first use. */
  fields: Map<string, Span>;
}

function span(node: Node | null | undefined, fallback: number): Span {
  const r = node?.range;
  return r ? { start: r[0], end: r[1] } : { start: fallback, end: fallback };
}

/** A YAML scalar → a Sigma value (plain strings parsed with Sigma escaping; hex kept as written). */
function scalarValue(node: YamlScalar): SValue {
  const v = node.value;
  if (v === null || v === undefined) return { t: 'null' };
  if (typeof v === 'boolean') return { t: 'bool', b: v };
  if (typeof v === 'number') {
    const src = typeof node.source === 'string' ? node.source : String(v);
    // `0x3e7` is a number to YAML, but Windows renders it as that text: keep it as written.
    if (/^0x/i.test(src) || /^0o/i.test(src)) return { t: 'str', parts: parseSigmaString(src), raw: src };
    return { t: 'num', n: v, text: src.startsWith('+') ? src.slice(1) : String(v) === src ? src : String(v) };
  }
  if (typeof v === 'string') return { t: 'str', parts: parseSigmaString(v), raw: v };
  if (v instanceof Date) {
    const s = node.source ?? v.toISOString();
    return { t: 'str', parts: parseSigmaString(String(s)), raw: String(s) };
  }
  throw new SigmaValueError(`unsupported value ${JSON.stringify(v)}`);
}

function valueError(err: unknown, at: number): never {
  if (err instanceof SigmaValueError || err instanceof SigmaRegexError) throw new SigmaDocumentError(err.message, at, err.kind);
  throw err;
}

function readValues(node: Node | null, at: number): { values: SValue[]; emptyList: boolean } {
  if (node === null || (isScalar(node) && (node.value === null || node.value === undefined))) return { values: [{ t: 'null' }], emptyList: false };
  // a value YAML gives as something else than a scalar Sigma knows (`!!binary`, `!!set`): a located error
  const scalar = (n: YamlScalar): SValue => {
    try {
      return scalarValue(n);
    } catch (err) {
      return valueError(err, n.range?.[0] ?? at);
    }
  };
  if (isScalar(node)) return { values: [scalar(node)], emptyList: false };
  if (isSeq(node)) {
    const values: SValue[] = [];
    for (const item of (node as YAMLSeq).items as Array<Node | null>) {
      if (item === null) values.push({ t: 'null' });
      else if (isScalar(item)) values.push(scalar(item));
      else throw new SigmaDocumentError('a value list may hold only strings, numbers, booleans and null', item.range?.[0] ?? at);
    }
    return { values, emptyList: values.length === 0 };
  }
  throw new SigmaDocumentError('a field value must be a value or a list of values, not a mapping', node.range?.[0] ?? at);
}

function fieldItem(pair: Pair, placeholders: Placeholders | undefined, fields: Map<string, Span>): SearchItem {
  const keyNode = pair.key as Node | null;
  const key = isScalar(keyNode) ? String(keyNode.value ?? '') : '';
  const keySpan = span(keyNode, 0);
  const [field, ...modifiers] = key.split('|');
  const { values, emptyList } = readValues(pair.value as Node | null, keySpan.start);
  const valueSpan = span(pair.value as Node | null, keySpan.start);
  const itemSpan = { start: keySpan.start, end: Math.max(keySpan.end, valueSpan.end) };
  let applied: { values: SValue[][]; flags: ItemFlags };
  try {
    const plain = values.filter((v) => v.t !== 'null');
    applied = applyModifiers(plain, modifiers.filter((m) => m !== ''), placeholders);
    // null stays null whatever the modifiers (a list may mix it in).
    for (const v of values) if (v.t === 'null') applied.values.push([v]);
    if (emptyList) applied.values.push([{ t: 'null' }]);
  } catch (err) {
    valueError(err, keySpan.start);
  }
  if (!field) {
    if (applied.values.some((alts) => alts.some((v) => v.t === 'null'))) throw new SigmaDocumentError('a keyword search cannot be null', keySpan.start);
    return { kind: 'keyword', values: applied.values, flags: applied.flags, span: itemSpan };
  }
  if (!fields.has(field)) fields.set(field, keySpan);
  return { kind: 'field', field, values: applied.values, flags: applied.flags, span: itemSpan, fieldSpan: { start: keySpan.start, end: keySpan.start + field.length } };
}

function keywordItem(node: YamlScalar): SearchItem {
  const at = span(node, 0);
  const v = scalarValue(node);
  if (v.t === 'null') throw new SigmaDocumentError('a keyword search cannot be null', at.start);
  return { kind: 'keyword', values: [[v]], flags: { all: false, cased: false, neq: false }, span: at };
}

function searchOf(node: Node | null, at: number, placeholders: Placeholders | undefined, fields: Map<string, Span>): SearchItem {
  if (node === null) throw new SigmaDocumentError('a search identifier needs a map, a list or a value', at);
  if (isMap(node)) {
    const items = (node as YAMLMap).items.map((p) => fieldItem(p as Pair, placeholders, fields));
    if (!items.length) throw new SigmaDocumentError('an empty map matches nothing; remove the search identifier or give it fields', at);
    return items.length === 1 ? (items[0] as SearchItem) : { kind: 'and', items, span: span(node, at) };
  }
  if (isSeq(node)) {
    const items: SearchItem[] = [];
    for (const el of (node as YAMLSeq).items as Array<Node | null>) {
      if (isMap(el)) items.push(searchOf(el, el.range?.[0] ?? at, placeholders, fields));
      else if (isScalar(el)) items.push(keywordItem(el));
      else throw new SigmaDocumentError('a search list may hold maps and values only', el?.range?.[0] ?? at);
    }
    if (!items.length) throw new SigmaDocumentError('an empty list matches nothing', at);
    return items.length === 1 ? (items[0] as SearchItem) : { kind: 'or', items, span: span(node, at) };
  }
  if (isScalar(node)) return keywordItem(node);
  throw new SigmaDocumentError('a search identifier needs a map, a list or a value', at);
}

/** Read `detection` (or a filter's `filter`) into search items and parsed conditions. */
export function parseDetection(sd: SigmaDoc, key: 'detection' | 'filter', placeholders?: Placeholders): ParsedDetection {
  const node = sd.doc.get(key, true) as Node | undefined;
  const at = node?.range?.[0] ?? sd.start;
  if (!isMap(node)) throw new SigmaDocumentError(`"${key}" must be a map of search identifiers and a condition`, at);
  const searches = new Map<string, SearchItem>();
  const identifierSpans = new Map<string, Span>();
  const fields = new Map<string, Span>();
  let conditionNode: Node | null | undefined;
  for (const pair of (node as YAMLMap).items) {
    const keyNode = pair.key as Node | null;
    const name = isScalar(keyNode) ? String(keyNode.value) : '';
    const keyAt = keyNode?.range?.[0] ?? at;
    if (name === 'condition') {
      conditionNode = pair.value as Node | null;
      continue;
    }
    if (key === 'filter' && name === 'rules') continue;
    if (name === 'timeframe') throw new SigmaDocumentError('"timeframe" is a Sigma v1 aggregation setting; use a correlation rule with a timespan', keyAt, 'unsupported');
    identifierSpans.set(name, span(keyNode, keyAt));
    searches.set(name, searchOf(pair.value as Node | null, keyAt, placeholders, fields));
  }
  if (conditionNode === undefined) throw new SigmaDocumentError(`"${key}" has no condition`, at);
  const conditions: Array<{ node: CondNode; offset: number }> = [];
  const condScalars: YamlScalar[] = [];
  if (isScalar(conditionNode)) condScalars.push(conditionNode);
  else if (isSeq(conditionNode)) {
    for (const c of (conditionNode as YAMLSeq).items as Array<Node | null>) {
      if (!isScalar(c)) throw new SigmaDocumentError('a condition list holds condition strings', c?.range?.[0] ?? at);
      condScalars.push(c);
    }
  } else throw new SigmaDocumentError('the condition must be a string (or a list of strings)', conditionNode?.range?.[0] ?? at);
  for (const c of condScalars) {
    const text = String(c.value ?? '');
    const start = c.range?.[0] ?? at;
    const offset = start + (c.type === 'QUOTE_DOUBLE' || c.type === 'QUOTE_SINGLE' ? 1 : 0);
    try {
      conditions.push({ node: parseCondition(text), offset });
    } catch (err) {
      if (err instanceof ConditionError) throw new SigmaDocumentError(`condition: ${err.message}`, offset + err.offset, err.kind);
      throw err;
    }
  }
  // Every identifier the condition names must exist; every pattern must match one.
  const names = [...searches.keys()];
  for (const { node: cond, offset } of conditions) {
    const check = (n: CondNode): void => {
      if (n.kind === 'id' && !searches.has(n.name)) throw new SigmaDocumentError(`condition: the search identifier "${n.name}" is not defined`, offset + n.start, 'semantic');
      if (n.kind === 'of' && !identifiersOf(n.pattern, names).length) {
        throw new SigmaDocumentError(`condition: "${n.pattern}" matches no search identifier`, offset + n.start, 'semantic');
      }
      if (n.kind === 'not') check(n.operand);
      if (n.kind === 'and' || n.kind === 'or') n.terms.forEach(check);
    };
    check(cond);
  }
  return { searches, identifierSpans, conditions, fields };
}

// ---------------------------------------------------------------------------------------------
// Lowering to IR, per variant.

const S0: Span = { start: 0, end: 0 };
const TRUE = (s: Span): Expr => ({ kind: 'literal', value: true, span: s });
const FALSE = (s: Span): Expr => ({ kind: 'literal', value: false, span: s });

function fieldRef(path: string, s: Span): FieldRef {
  return { kind: 'field', name: path, optional: true, span: s };
}

function and(terms: Expr[], s: Span): Expr {
  const flat: Expr[] = [];
  for (const t of terms) {
    if (t.kind === 'literal' && t.value === true) continue;
    if (t.kind === 'literal' && t.value === false) return FALSE(s);
    if (t.kind === 'and') flat.push(...t.terms);
    else flat.push(t);
  }
  if (!flat.length) return TRUE(s);
  return flat.length === 1 ? (flat[0] as Expr) : { kind: 'and', terms: flat, span: s };
}

function or(terms: Expr[], s: Span): Expr {
  // One term that is neither a literal nor an OR is its own disjunction (the common case: each value
  // of a list is an OR of its one rendering), and nothing below would change it.
  if (terms.length === 1) {
    const only = terms[0] as Expr;
    if (only.kind !== 'literal' && only.kind !== 'or') return only;
  }
  const flat: Expr[] = [];
  for (const t of terms) {
    if (t.kind === 'literal' && t.value === false) continue;
    if (t.kind === 'literal' && t.value === true) return TRUE(s);
    if (t.kind === 'or') flat.push(...t.terms);
    else flat.push(t);
  }
  // Wildcard matches of one field with one case rule become one match with several patterns.
  const merged: Expr[] = [];
  // Each merged match with, once something is merged into it, the set of its patterns (a Set
  // compares as `includes` does: SameValueZero), so a long value list merges in linear time.
  const byField = new Map<string, { match: MatchExpr; patterns?: Set<unknown> }>();
  for (const t of flat) {
    if (t.kind === 'match' && t.mode === 'wildcard' && t.subject.kind === 'field') {
      const k = `${t.subject.name}\u0000${t.caseInsensitive}`;
      const prev = byField.get(k);
      if (prev) {
        const seen = (prev.patterns ??= new Set(prev.match.patterns));
        for (const p of t.patterns) {
          if (seen.has(p)) continue;
          seen.add(p);
          prev.match.patterns.push(p);
        }
        continue;
      }
      const copy: MatchExpr = { ...t, patterns: [...t.patterns] };
      byField.set(k, { match: copy });
      merged.push(copy);
      continue;
    }
    merged.push(t);
  }
  if (!merged.length) return FALSE(s);
  return merged.length === 1 ? (merged[0] as Expr) : { kind: 'or', terms: merged, span: s };
}

function not(e: Expr, s: Span): Expr {
  if (e.kind === 'literal' && typeof e.value === 'boolean') return { kind: 'literal', value: !e.value, span: s };
  return { kind: 'not', operand: e, span: s };
}

export interface VariantContext {
  variant: LogsourceVariant;
  /** Names the field view does not know, with the span of their first use. */
  unknown: Map<string, Span>;
}

type Resolved = { kind: 'source'; source: FieldSource } | { kind: 'not-carried' };

function resolve(name: string, ctx: VariantContext, s: Span): Resolved {
  const r = resolveSigmaField(name, ctx.variant);
  if (r.kind === 'source' && !r.known && !ctx.unknown.has(name)) ctx.unknown.set(name, s);
  return r.kind === 'source' ? { kind: 'source', source: r.source } : r;
}

function subjectOf(source: FieldSource, s: Span): Expr {
  if ('when' in source) return subjectOf(source.else, s);
  if ('path' in source) return fieldRef(source.path, s);
  const args: Expr[] = [];
  source.concat.forEach((p, i) => {
    if (i) args.push({ kind: 'literal', value: source.separator, span: s });
    args.push(fieldRef(p, s));
  });
  return { kind: 'call', name: 'concat', args, caseInsensitive: false, span: s };
}

/** For a conditional source: whether the event takes the `then` branch. */
function guardOf(source: Extract<FieldSource, { when: string }>, s: Span): Expr {
  const present: Expr = { kind: 'exists', field: fieldRef(source.when, s), span: s };
  const excluded: Expr = { kind: 'match', mode: 'wildcard', subject: fieldRef(source.when, s), patterns: [...source.notIn], caseInsensitive: true, span: s };
  return and([present, not(excluded, s)], s);
}

/** A test on a source; conditional sources test the branch the event takes. */
function onSource(source: FieldSource, s: Span, test: (leaf: Exclude<FieldSource, { when: string }>) => Expr): Expr {
  if (!('when' in source)) return test(source);
  const guard = guardOf(source, s);
  return or([and([guard, onSource(source.then, s, test)], s), and([not(guard, s), onSource(source.else, s, test)], s)], s);
}

function existsOf(source: FieldSource, s: Span): Expr {
  return onSource(source, s, (leaf) => {
    if ('path' in leaf) return { kind: 'exists', field: fieldRef(leaf.path, s), span: s };
    return and(leaf.concat.map((p) => ({ kind: 'exists', field: fieldRef(p, s), span: s }) as Expr), s);
  });
}

function wildcardPattern(parts: Part[]): string {
  return parts.map((p) => (p === ANY ? '*' : p === ONE ? '?' : p)).join('');
}

function regexOfParts(parts: Part[]): string {
  return parts.map((p) => (p === ANY ? '[\\s\\S]*' : p === ONE ? '[\\s\\S]' : p.replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&'))).join('') + '$';
}

/** Rewrite a rule value written for Sysmon into the variant's own rendering. */
function render(v: SValue, source: FieldSource): SValue {
  if (!('path' in source) || !source.render) return v;
  if (source.render === 'hex') {
    if (v.t === 'num' && Number.isInteger(v.n)) return { t: 'str', parts: [`0x${v.n.toString(16)}`] };
    if (v.t === 'str' && !hasWildcards(v.parts) && /^\d+$/.test(literalText(v.parts))) return { t: 'str', parts: [`0x${Number(literalText(v.parts)).toString(16)}`] };
    return v;
  }
  if (v.t === 'str' && !hasWildcards(v.parts)) {
    const sid = INTEGRITY_SIDS[literalText(v.parts).toLowerCase().replace(/\s+/g, '')];
    if (sid) return { t: 'str', parts: [sid] };
  }
  return v;
}

function stringTest(subject: Expr, parts: Part[], ci: boolean, s: Span): Expr {
  const literalMeta = parts.some((p) => typeof p === 'string' && /[*?]/.test(p));
  if (!literalMeta) return { kind: 'match', mode: 'wildcard', subject, patterns: [wildcardPattern(parts)], caseInsensitive: ci, span: s };
  if (!hasWildcards(parts)) return { kind: 'compare', op: '==', left: subject, right: { kind: 'literal', value: literalText(parts), span: s }, caseInsensitive: ci, span: s };
  // A literal * or ? next to wildcards: only a regular expression can say it.
  return { kind: 'call', name: 'match', args: [subject, { kind: 'literal', value: regexOfParts(parts), span: s }], caseInsensitive: ci, span: s };
}

function valueTest(item: SearchItem & { kind: 'field' }, v: SValue, r: Resolved, ctx: VariantContext): Expr {
  const s = item.span;
  if (r.kind === 'not-carried') {
    // The variant never has this field: only "it does not exist" is true.
    return v.t === 'exists' && !v.b ? TRUE(s) : FALSE(s);
  }
  if (v.t === 'fieldref') {
    const other = resolve(v.field, ctx, item.span);
    if (other.kind === 'not-carried') return FALSE(item.span);
    const ci = !item.flags.cased;
    return onSource(r.source, item.span, (leaf) => {
      const left = subjectOf(leaf, item.fieldSpan);
      const right = subjectOf(other.source, item.span);
      if (v.mode === 'eq') return { kind: 'compare', op: '==', left, right, caseInsensitive: ci, span: item.span };
      const fn = v.mode === 'contains' ? 'stringContains' : v.mode === 'startswith' ? 'startsWith' : 'endsWith';
      return { kind: 'call', name: fn, args: [left, right], caseInsensitive: ci, span: item.span };
    });
  }
  if (v.t === 'null') return not(existsOf(r.source, item.span), item.span);
  if (v.t === 'exists') return v.b ? existsOf(r.source, item.span) : not(existsOf(r.source, item.span), item.span);
  return onSource(r.source, item.span, (leaf) => leafTest(item, v, leaf));
}

function leafTest(item: SearchItem & { kind: 'field' }, v: SValue, source: Exclude<FieldSource, { when: string }>): Expr {
  const s = item.span;
  const subject = subjectOf(source, item.fieldSpan);
  const ci = !item.flags.cased;
  const value = render(v, source);
  switch (value.t) {
    case 'str': {
      if (!value.parts.length) {
        // Canonical events drop empty EventData values (as Elastic does): empty is "absent" or "".
        return or([not(existsOf(source, s), s), { kind: 'compare', op: '==', left: subject, right: { kind: 'literal', value: '', span: s }, caseInsensitive: false, span: s }], s);
      }
      return stringTest(subject, value.parts, ci, s);
    }
    case 'num':
      return { kind: 'match', mode: 'wildcard', subject, patterns: [value.text], caseInsensitive: false, span: s };
    case 'bool':
      return { kind: 'match', mode: 'wildcard', subject, patterns: [String(value.b)], caseInsensitive: true, span: s };
    case 're': {
      const conv = convertSigmaRegex(value.pattern, value.flags);
      return { kind: 'call', name: 'match', args: [subject, { kind: 'literal', value: conv.pattern, span: s }], caseInsensitive: conv.caseInsensitive, span: s };
    }
    case 'cidr':
      return { kind: 'cidr', subject, blocks: [value.block], span: s };
    case 'cmp': {
      if (!('path' in source)) return FALSE(s);
      const numeric = fieldRef(NUMERIC_PREFIX + source.path, item.fieldSpan);
      const bound = { value: value.n as Scalar, inclusive: value.op === 'lte' || value.op === 'gte' };
      return { kind: 'range', subject: numeric, ...(value.op.startsWith('g') ? { lower: bound } : { upper: bound }), span: s };
    }
    default:
      return FALSE(s);
  }
}

const KEYWORD_FALLBACK_FIELDS = [...KNOWN_SIGMA_FIELDS].filter((f) => !(f in SYSTEM_FIELDS)).sort();

function keywordTest(item: SearchItem & { kind: 'keyword' }, v: SValue, ctx: VariantContext): Expr {
  const s = item.span;
  const ci = !item.flags.cased;
  let parts: Part[];
  if (v.t === 'str') parts = v.parts;
  else if (v.t === 'num') parts = [v.text];
  else if (v.t === 'bool') parts = [String(v.b)];
  else throw new SigmaDocumentError(`a keyword search needs plain values, not ${v.t}`, s.start);
  // Keywords search the whole record: any value of it contains the text.
  const wrapped: Part[] = [...parts];
  if (wrapped[0] !== ANY) wrapped.unshift(ANY);
  if (wrapped[wrapped.length - 1] !== ANY) wrapped.push(ANY);
  const names = ctx.variant.carried ? [...ctx.variant.carried].sort() : KEYWORD_FALLBACK_FIELDS;
  const paths = ['message', ...names.map((n) => `winlog.event_data.${n}`)];
  return or(paths.map((p) => stringTest(fieldRef(p, s), wrapped, ci, s)), s);
}

function lowerItem(item: SearchItem, ctx: VariantContext): Expr {
  switch (item.kind) {
    case 'and':
      return and(item.items.map((i) => lowerItem(i, ctx)), item.span);
    case 'or':
      return or(item.items.map((i) => lowerItem(i, ctx)), item.span);
    case 'keyword': {
      const perValue = item.values.map((alts) => or(alts.map((v) => keywordTest(item, v, ctx)), item.span));
      return item.flags.all ? and(perValue, item.span) : or(perValue, item.span);
    }
    case 'field': {
      const r = resolve(item.field, ctx, item.fieldSpan);
      let perValue: Expr[];
      try {
        perValue = item.values.map((alts) => or(alts.map((v) => valueTest(item, v, r, ctx)), item.span));
      } catch (err) {
        valueError(err, item.span.start);
      }
      const linked = item.flags.all ? and(perValue, item.span) : or(perValue, item.span);
      return item.flags.neq ? not(linked, item.span) : linked;
    }
  }
}

function lowerCondition(node: CondNode, offset: number, lowered: Map<string, Expr>, names: string[]): Expr {
  const s = { start: offset + node.start, end: offset + node.end };
  switch (node.kind) {
    case 'id':
      return lowered.get(node.name) as Expr;
    case 'of': {
      const ids = identifiersOf(node.pattern, names);
      const terms = ids.map((i) => lowered.get(i) as Expr);
      return node.quantifier === 'all' ? and(terms, s) : or(terms, s);
    }
    case 'not':
      return not(lowerCondition(node.operand, offset, lowered, names), s);
    case 'and':
      return and(node.terms.map((t) => lowerCondition(t, offset, lowered, names)), s);
    case 'or':
      return or(node.terms.map((t) => lowerCondition(t, offset, lowered, names)), s);
  }
}

/** The detection's condition (all conditions OR-ed) for one variant. */
export function lowerDetection(det: ParsedDetection, ctx: VariantContext): Expr {
  const lowered = new Map<string, Expr>();
  for (const [name, item] of det.searches) lowered.set(name, lowerItem(item, ctx));
  const names = [...det.searches.keys()];
  const conds = det.conditions.map((c) => lowerCondition(c.node, c.offset, lowered, names));
  const first = det.conditions[0];
  const s = first ? { start: first.offset + first.node.start, end: first.offset + first.node.end } : S0;
  return conds.length === 1 ? (conds[0] as Expr) : or(conds, s);
}

/** The events a variant selects: channel, EventID and extra conditions. */
export function variantGate(variant: LogsourceVariant, s: Span): Expr {
  const terms: Expr[] = [];
  if (variant.channels.length) {
    terms.push({ kind: 'match', mode: 'wildcard', subject: fieldRef('winlog.channel', s), patterns: [...variant.channels], caseInsensitive: true, span: s });
  }
  if (variant.eventIds?.length) {
    terms.push({ kind: 'in', subject: fieldRef('winlog.event_id', s), values: variant.eventIds.map((id) => ({ kind: 'literal', value: String(id), span: s }) as Expr), caseInsensitive: false, span: s });
  }
  for (const [name, values] of Object.entries(variant.where ?? {})) {
    terms.push({ kind: 'match', mode: 'wildcard', subject: fieldRef(`winlog.event_data.${name}`, s), patterns: [...values], caseInsensitive: true, span: s });
  }
  return and(terms, s);
}

export function readLogsource(sd: SigmaDoc, key = 'logsource'): LogsourceSpec {
  const raw = sd.data[key];
  const at = sd.doc.get(key, true) as Node | undefined;
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new SigmaDocumentError(`"${key}" must be a map (product, category, service)`, at?.range?.[0] ?? sd.start);
  const ls = raw as Record<string, unknown>;
  const out: LogsourceSpec = {};
  for (const k of ['product', 'category', 'service'] as const) {
    if (ls[k] === undefined || ls[k] === null) continue;
    if (typeof ls[k] !== 'string') throw new SigmaDocumentError(`logsource ${k} must be a string`, at?.range?.[0] ?? sd.start);
    out[k] = ls[k] as string;
  }
  return out;
}

export function variantsOf(sd: SigmaDoc): LogsourceVariant[] {
  const ls = readLogsource(sd);
  const res = resolveLogsource(ls);
  const at = (sd.doc.get('logsource', true) as Node | undefined)?.range?.[0] ?? sd.start;
  if (!res.ok) throw new SigmaDocumentError(res.reason, at, res.unsupported ? 'unsupported' : 'semantic');
  return res.variants;
}

/** Whether a filter's logsource is contained in a rule's (every key it names has the rule's value). */
export function logsourceContains(filter: LogsourceSpec, rule: LogsourceSpec): boolean {
  for (const k of ['product', 'category', 'service'] as const) {
    if (filter[k] !== undefined && filter[k]?.toLowerCase() !== rule[k]?.toLowerCase()) return false;
  }
  return true;
}
