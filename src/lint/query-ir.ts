/**
 * The shared IR of a rule's query (EQL, KQL and Sigma lower to it), as the IR-based query checks
 * see it: every condition with its position in the rule file, and the predicates of one AND or OR
 * reduced to "field, operator, values" so checks can compare them across languages.
 */
import { fieldSchema, schemaFieldType } from '../events/views/field-schemas.js';
import { ecsFieldType } from '../events/views/ecs.js';
import { SYSMON_TO_ECS } from '../events/views/index.js';
import type { Expr, QueryIR, QueryNode, Scalar, Span } from '../engine/ir.js';
import { lineColumn } from '../engine/ir.js';
import { queryPositionInFile, type Rule } from '../rules/model.js';
import type { SourceLocation } from '../util/diagnostics.js';
import { compiledQuery } from './query.js';
import type { LintContext } from './types.js';

/** The IR of a rule's query, or undefined when it does not compile or is not IR-based (SPL, correlations). */
export function queryIR(rule: Rule, context: LintContext): QueryIR | undefined {
  const compiled = compiledQuery(rule, context);
  return compiled.ok ? compiled.query.source?.ir : undefined;
}

/** Where a span of the IR sits in the rule file. */
export function spanLocation(rule: Rule, ir: QueryIR, span: Span): SourceLocation {
  const { line, column } = lineColumn(ir.text, span.start);
  const pos = queryPositionInFile(rule.query, line, column);
  return { file: rule.source.file, line: pos.line, column: pos.column };
}

/** Every event condition of the query (one per event query or sequence/sample stage). */
export function conditionsOf(ir: QueryIR): Expr[] {
  const out: Expr[] = [];
  const visit = (node: QueryNode) => {
    switch (node.kind) {
      case 'event':
        out.push(node.condition);
        break;
      case 'sequence':
        for (const stage of node.stages) out.push(stage.query.condition);
        if (node.until) out.push(node.until.query.condition);
        break;
      case 'sample':
        for (const stage of node.stages) out.push(stage.query.condition);
        break;
    }
  };
  visit(ir.root);
  return out;
}

/** Calls `visit` on every expression below (and including) `expr`, parents first. */
export function walkExpr(expr: Expr, visit: (e: Expr) => void): void {
  visit(expr);
  switch (expr.kind) {
    case 'and':
    case 'or':
      for (const term of expr.terms) walkExpr(term, visit);
      break;
    case 'not':
      walkExpr(expr.operand, visit);
      break;
    case 'negate':
      walkExpr(expr.operand, visit);
      break;
    case 'compare':
    case 'arith':
      walkExpr(expr.left, visit);
      walkExpr(expr.right, visit);
      break;
    case 'match':
      walkExpr(expr.subject, visit);
      break;
    case 'in':
      walkExpr(expr.subject, visit);
      for (const v of expr.values) walkExpr(v, visit);
      break;
    case 'range':
    case 'cidr':
      walkExpr(expr.subject, visit);
      break;
    case 'call':
      for (const a of expr.args) walkExpr(a, visit);
      break;
    case 'fieldPattern':
      walkExpr(expr.condition, visit);
      if (expr.textCondition) walkExpr(expr.textCondition, visit);
      break;
    case 'nested':
      walkExpr(expr.condition, visit);
      break;
    default:
      break;
  }
}

const EXPR_KEYS = new WeakMap<object, string>();

/**
 * A canonical text of an expression without positions: equal keys, equal conditions. Built bottom
 * up and remembered per node, so keying every term of every nested AND/OR stays linear.
 */
export function exprKey(expr: Expr): string {
  return keyOf(expr);
}

function keyOf(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'undefined';
  const cached = EXPR_KEYS.get(value);
  if (cached !== undefined) return cached;
  // Built by concatenation (no arrays of parts or entries): this runs for every term of every AND and OR.
  let key: string;
  if (Array.isArray(value)) {
    key = '[';
    for (let i = 0; i < value.length; i++) key += (i ? ',' : '') + keyOf(value[i]);
    key += ']';
  } else {
    key = '{';
    let first = true;
    for (const k of Object.keys(value)) {
      if (k === 'span' || k === 'categorySpan') continue;
      const v = (value as Record<string, unknown>)[k];
      if (v === undefined) continue;
      key += (first ? '' : ',') + k + ':' + keyOf(v);
      first = false;
    }
    key += '}';
  }
  EXPR_KEYS.set(value, key);
  return key;
}

/**
 * Whether two expressions have the same `exprKey`, decided by walking both at once: no key text is
 * built, and the walk stops at the first difference (most candidate pairs differ in a value near
 * the top). The same rules as `keyOf`: spans are ignored, so are keys whose value is undefined, key
 * order counts, and primitives compare by their JSON text (`NaN`, `Infinity` and `null` alike).
 */
export function sameExpr(a: Expr, b: Expr): boolean {
  return sameKey(a, b);
}

function sameKey(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  const objectA = a !== null && typeof a === 'object';
  const objectB = b !== null && typeof b === 'object';
  if (!objectA || !objectB) {
    if (objectA || objectB) return false;
    // Distinct primitives whose JSON texts can still agree: non-finite numbers and null.
    return typeof a !== 'string' && typeof b !== 'string' && (JSON.stringify(a) ?? 'undefined') === (JSON.stringify(b) ?? 'undefined');
  }
  const arrayA = Array.isArray(a);
  if (arrayA !== Array.isArray(b)) return false;
  if (arrayA) {
    const x = a as unknown[];
    const y = b as unknown[];
    if (x.length !== y.length) return false;
    for (let i = 0; i < x.length; i++) if (!sameKey(x[i], y[i])) return false;
    return true;
  }
  const x = a as Record<string, unknown>;
  const y = b as Record<string, unknown>;
  const keysX = Object.keys(x);
  const keysY = Object.keys(y);
  let i = 0;
  let j = 0;
  for (;;) {
    while (i < keysX.length && skippedKey(keysX[i]!, x)) i++;
    while (j < keysY.length && skippedKey(keysY[j]!, y)) j++;
    if (i === keysX.length || j === keysY.length) return i === keysX.length && j === keysY.length;
    const k = keysX[i]!;
    if (k !== keysY[j] || !sameKey(x[k], y[k])) return false;
    i++;
    j++;
  }
}

function skippedKey(k: string, o: Record<string, unknown>): boolean {
  return k === 'span' || k === 'categorySpan' || o[k] === undefined;
}

/** True when a wildcard pattern has no unescaped `*` or `?` (it then tests equality). */
export function isPlainPattern(pattern: string): boolean {
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === '\\') i++;
    else if (c === '*' || c === '?') return false;
  }
  return true;
}

function unescapePattern(pattern: string): string {
  return pattern.includes('\\') ? pattern.replace(/\\(.)/g, '$1') : pattern;
}

/**
 * A field tested against constants: `field == v`, `field : v` (no wildcard), `field in (…)`, or a
 * numeric bound. `values` holds the accepted constants of an equality or membership.
 */
export type Predicate =
  | { kind: 'values'; field: string; values: Scalar[]; caseInsensitive: boolean; expr: Expr }
  | { kind: 'bound'; field: string; lower?: { value: number; inclusive: boolean }; upper?: { value: number; inclusive: boolean }; expr: Expr };

/** The predicate an expression states about one field, when it has that simple shape. */
export function predicateOf(expr: Expr): Predicate | undefined {
  switch (expr.kind) {
    case 'compare': {
      const sides = fieldAndLiteral(expr.left, expr.right, expr.op);
      if (!sides) return undefined;
      const { field, value, op } = sides;
      if (op === '==') return { kind: 'values', field, values: [value], caseInsensitive: expr.caseInsensitive, expr };
      if (op === '!=' || typeof value !== 'number') return undefined;
      if (op === '>' || op === '>=') return { kind: 'bound', field, lower: { value, inclusive: op === '>=' }, expr };
      return { kind: 'bound', field, upper: { value, inclusive: op === '<=' }, expr };
    }
    case 'match': {
      if (expr.mode !== 'wildcard' || expr.subject.kind !== 'field') return undefined;
      if (!expr.patterns.every((p) => typeof p !== 'string' || isPlainPattern(p))) return undefined;
      const values = expr.patterns.map((p) => (typeof p === 'string' ? unescapePattern(p) : p));
      return { kind: 'values', field: expr.subject.name, values, caseInsensitive: expr.caseInsensitive, expr };
    }
    case 'in': {
      if (expr.subject.kind !== 'field') return undefined;
      const values: Scalar[] = [];
      for (const v of expr.values) {
        if (v.kind !== 'literal') return undefined;
        values.push(v.value);
      }
      return { kind: 'values', field: expr.subject.name, values, caseInsensitive: expr.caseInsensitive, expr };
    }
    case 'range': {
      if (expr.subject.kind !== 'field') return undefined;
      const lower = expr.lower ? numericBound(expr.lower.value, expr.lower.inclusive) : undefined;
      const upper = expr.upper ? numericBound(expr.upper.value, expr.upper.inclusive) : undefined;
      if ((expr.lower && !lower) || (expr.upper && !upper)) return undefined;
      return { kind: 'bound', field: expr.subject.name, ...(lower ? { lower } : {}), ...(upper ? { upper } : {}), expr };
    }
    default:
      return undefined;
  }
}

function numericBound(value: Scalar, inclusive: boolean): { value: number; inclusive: boolean } | undefined {
  const n = typeof value === 'number' ? value : typeof value === 'string' && value.trim() !== '' ? Number(value) : NaN;
  return Number.isFinite(n) ? { value: n, inclusive } : undefined;
}

const MIRROR: Record<string, string> = { '<': '>', '<=': '>=', '>': '<', '>=': '<=', '==': '==', '!=': '!=' };

function fieldAndLiteral(left: Expr, right: Expr, op: string): { field: string; value: Scalar; op: string } | undefined {
  if (left.kind === 'field' && right.kind === 'literal' && right.value !== null) return { field: left.name, value: right.value, op };
  if (right.kind === 'field' && left.kind === 'literal' && left.value !== null) return { field: right.name, value: left.value, op: MIRROR[op] ?? op };
  return undefined;
}

/**
 * Whether a field may hold several values, so `x == "a" and x == "b"` can both hold (any element
 * matches). ECS says so with `normalize: array`; Sigma's Sysmon names map to their ECS fields.
 */
export function mayHoldSeveralValues(field: string): boolean {
  let answer = SEVERAL_VALUES.get(field);
  if (answer === undefined) {
    answer = lookUpSeveralValues(field);
    if (SEVERAL_VALUES.size < 100_000) SEVERAL_VALUES.set(field, answer);
  }
  return answer;
}

/** Per field name, the answers of `mayHoldSeveralValues` and `singleValued` (the shipped schemas do not change during a run). */
const SEVERAL_VALUES = new Map<string, boolean>();
const SINGLE_VALUED = new Map<string, boolean>();

function lookUpSeveralValues(field: string): boolean {
  const arrays = fieldSchema('ecs').arrays;
  if (arrays.has(field)) return true;
  const ecsName = SYSMON_TO_ECS[field.replace(/^winlog\.event_data\./, '')];
  return ecsName !== undefined && arrays.has(ecsName);
}

/**
 * Whether a field is known to hold one value: a field of the shipped schemas that ECS does not mark
 * as an array. Unknown fields (an integration's own) may be arrays, so they are not judged.
 */
export function singleValued(field: string): boolean {
  let answer = SINGLE_VALUED.get(field);
  if (answer === undefined) {
    answer = !mayHoldSeveralValues(field) && (ecsFieldType(field) !== undefined || schemaFieldType(fieldSchema('endpoint'), field) !== undefined);
    if (SINGLE_VALUED.size < 100_000) SINGLE_VALUED.set(field, answer);
  }
  return answer;
}

/** Renders a constant as a query would quote it, for messages. */
export function showValue(value: Scalar): string {
  return typeof value === 'string' ? JSON.stringify(value) : String(value);
}

/**
 * An expression for a message: its text as written when that is short and whole, else a rendering
 * of the predicate (a KQL list `f:(a or b)` lowers to terms whose spans cut the list).
 */
export function describeExpr(ir: QueryIR, expr: Expr): string {
  const text = exprText(ir, expr);
  if (text.length <= 80 && balanced(text)) return text;
  const p = predicateOf(expr);
  if (p?.kind === 'values' && p.values.length === 1) return `${p.field} ${p.caseInsensitive ? ':' : '=='} ${showValue(p.values[0]!)}`;
  return text.length > 80 ? `${text.slice(0, 77)}…` : text;
}

function balanced(text: string): boolean {
  let depth = 0;
  let quote = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quote) {
      if (c === '\\') i++;
      else if (c === '"') quote = false;
    } else if (c === '"') quote = true;
    else if (c === '(') depth++;
    else if (c === ')' && --depth < 0) return false;
  }
  return depth === 0 && !quote;
}

/** The text of an expression as written in the query. */
export function exprText(ir: QueryIR, expr: Expr): string {
  return ir.text.slice(expr.span.start, expr.span.end).replace(/\s+/g, ' ').trim();
}

/** Case folding as the case-insensitive operators are sure to apply it: ASCII letters only. */
export function foldCase(text: string): string {
  // Most values have no capital to fold: those are returned without a regex replace.
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c >= 65 && c <= 90) return text.replace(/[A-Z]+/g, (m) => m.toLowerCase());
  }
  return text;
}

/**
 * Spans that point into a Sigma rule's `logsource:` block: conditions the lowering adds for the
 * log source (the channel, the event ids), not conditions the author wrote in `detection:`.
 */
export function implicitSpan(ir: QueryIR, rule: Rule): (span: Span) => boolean {
  if (rule.format !== 'sigma') return () => false;
  const start = /^logsource:/m.exec(ir.text)?.index;
  if (start === undefined) return () => false;
  const body = ir.text.indexOf('\n', start) + 1;
  const next = body > 0 ? /^\S/m.exec(ir.text.slice(body)) : null;
  const end = body <= 0 ? ir.text.length : next ? body + next.index : ir.text.length;
  return (span) => span.start >= start && span.start < end;
}
