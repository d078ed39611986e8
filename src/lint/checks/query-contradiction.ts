import type { Expr, QueryIR, Scalar } from '../../engine/ir.js';
import { conditionsOf, describeExpr, foldCase, implicitSpan, singleValued, predicateOf, queryIR, spanLocation, walkExpr, type Predicate } from '../query-ir.js';
import type { Finding, LintCheck } from '../types.js';

type ValuesPredicate = Extract<Predicate, { kind: 'values' }>;
type BoundPredicate = Extract<Predicate, { kind: 'bound' }>;

export const queryContradiction: LintCheck = {
  id: 'query/contradiction',
  defaultSeverity: 'error',
  docs: {
    description:
      'Conditions joined by AND that no event can satisfy together make the query (or that branch of it) dead: ' +
      '`x == "a" and x == "b"`, `x == "a" and not x == "a"`, `x in ("a", "b") and x in ("c")`, `x > 10 and x < 5`. The ' +
      'check works on the shared IR, so it covers EQL, KQL and Sigma alike, and respects case rules (`:` and `in~` ' +
      'compare case-insensitively) and multi-valued fields (ECS `normalize: array`, e.g. process.args, where two ' +
      'different equalities can both hold). Each contradiction is reported at the condition that makes it.',
  },
  check(rule, context) {
    const ir = queryIR(rule, context);
    if (!ir) return [];
    const findings: Finding[] = [];
    const seen = new Set<string>();
    const implicit = implicitSpan(ir, rule);
    for (const condition of conditionsOf(ir)) {
      walkExpr(condition, (e) => {
        if (e.kind !== 'and') return;
        // The log source's own conditions are the lowering's reading of `logsource:`; a clash with
        // one says more about the field mapping than about the rule.
        const written = e.terms.filter((term) => !implicit(term.span));
        for (const f of contradictionsIn(written, ir)) {
          const location = spanLocation(rule, ir, f.at.span);
          const key = `${location.line}:${location.column}:${f.message}`;
          if (seen.has(key)) continue; // Sigma repeats a selection once per logsource variant
          seen.add(key);
          findings.push({ location, message: f.message, hint: f.hint });
        }
      });
    }
    return findings;
  },
};

interface Contradiction {
  at: Expr;
  message: string;
  hint: string;
}

const HINT = 'Check the values and operators: an OR may have been meant, or one condition is left over from an edit.';

function contradictionsIn(terms: readonly Expr[], ir: QueryIR): Contradiction[] {
  const positives = new Map<string, Predicate[]>();
  const negatives = new Map<string, ValuesPredicate[]>();
  for (const term of terms) {
    const negated = negatedValues(term);
    if (negated) {
      pushTo(negatives, negated.field, negated);
      continue;
    }
    const p = predicateOf(term);
    if (p) pushTo(positives, p.field, p);
  }
  const out: Contradiction[] = [];
  for (const [field, preds] of positives) {
    const found = valueClash(field, preds, ir) ?? exclusionClash(field, preds, negatives.get(field) ?? [], ir) ?? boundClash(field, preds, ir);
    if (found) out.push(found);
  }
  return out;
}

/** `not <values predicate>`, or `x != v` on a single-valued field, as the values it excludes. */
function negatedValues(term: Expr): ValuesPredicate | undefined {
  if (term.kind === 'not') {
    const p = predicateOf(term.operand);
    return p?.kind === 'values' ? { ...p, expr: term } : undefined;
  }
  if (term.kind === 'compare' && term.op === '!=') {
    const p = predicateOf({ ...term, op: '==' });
    if (p?.kind === 'values' && singleValued(p.field)) return { ...p, expr: term };
  }
  return undefined;
}

function same(a: Scalar, b: Scalar, caseInsensitive: boolean): boolean {
  if (a === null || b === null) return a === b;
  const x = String(a);
  const y = String(b);
  return caseInsensitive ? foldCase(x) === foldCase(y) : x === y;
}

/** Two equalities or memberships on a single-valued field with no value in common. */
function valueClash(field: string, preds: Predicate[], ir: QueryIR): Contradiction | undefined {
  if (!singleValued(field)) return undefined;
  const sets = preds.filter((p): p is ValuesPredicate => p.kind === 'values');
  for (let j = 1; j < sets.length; j++) {
    for (let i = 0; i < j; i++) {
      const a = sets[i]!;
      const b = sets[j]!;
      const ci = a.caseInsensitive || b.caseInsensitive;
      if (a.values.some((x) => b.values.some((y) => same(x, y, ci)))) continue;
      return {
        at: b.expr,
        message: `${field} cannot satisfy both \`${describeExpr(ir, a.expr)}\` and \`${describeExpr(ir, b.expr)}\`: they accept no common value, so this AND never matches`,
        hint: HINT,
      };
    }
  }
  return undefined;
}

/** A value required by one condition and excluded by a `not` (or `!=`) of the same AND. */
function exclusionClash(field: string, preds: Predicate[], excluded: ValuesPredicate[], ir: QueryIR): Contradiction | undefined {
  for (const p of preds) {
    if (p.kind !== 'values') continue;
    for (const n of excluded) {
      // Every value p accepts must be one n excludes; a case-insensitive p accepts every casing.
      const covered = p.values.every((v) => n.values.some((x) => (n.caseInsensitive ? same(v, x, true) : !p.caseInsensitive && same(v, x, false))));
      if (!covered) continue;
      return {
        at: p.expr.span.start < n.expr.span.start ? n.expr : p.expr,
        message: `${field} is required by \`${describeExpr(ir, p.expr)}\` and excluded by \`${describeExpr(ir, n.expr)}\`, so this AND never matches`,
        hint: HINT,
      };
    }
  }
  return undefined;
}

/** Numeric bounds (and numeric equalities) on a single-valued field that leave no number. */
function boundClash(field: string, preds: Predicate[], ir: QueryIR): Contradiction | undefined {
  if (!singleValued(field)) return undefined;
  const bounds = preds.filter((p): p is BoundPredicate => p.kind === 'bound');
  if (!bounds.length) return undefined;
  let lower: { value: number; inclusive: boolean; expr: Expr } | undefined;
  let upper: { value: number; inclusive: boolean; expr: Expr } | undefined;
  for (const b of bounds) {
    if (b.lower && (!lower || b.lower.value > lower.value || (b.lower.value === lower.value && !b.lower.inclusive))) lower = { ...b.lower, expr: b.expr };
    if (b.upper && (!upper || b.upper.value < upper.value || (b.upper.value === upper.value && !b.upper.inclusive))) upper = { ...b.upper, expr: b.expr };
    if (lower && upper && (lower.value > upper.value || (lower.value === upper.value && !(lower.inclusive && upper.inclusive)))) {
      const [a, c] = lower.expr.span.start < upper.expr.span.start ? [lower.expr, upper.expr] : [upper.expr, lower.expr];
      const texts = a === c ? `\`${describeExpr(ir, a)}\`` : `\`${describeExpr(ir, a)}\` and \`${describeExpr(ir, c)}\``;
      return { at: b.expr, message: `the numeric conditions on ${field} (${texts}) leave no value, so this AND never matches`, hint: HINT };
    }
  }
  for (const p of preds) {
    if (p.kind !== 'values') continue;
    const numbers = p.values.map((v) => (typeof v === 'number' ? v : typeof v === 'string' && v.trim() !== '' ? Number(v) : NaN));
    if (numbers.some((n) => !Number.isFinite(n))) continue;
    const inside = (n: number) =>
      (!lower || n > lower.value || (n === lower.value && lower.inclusive)) && (!upper || n < upper.value || (n === upper.value && upper.inclusive));
    if (numbers.some(inside)) continue;
    const bound = lower && !numbers.some((n) => n > lower!.value || (n === lower!.value && lower!.inclusive)) ? lower : upper!;
    const [a, c] = p.expr.span.start < bound.expr.span.start ? [p.expr, bound.expr] : [bound.expr, p.expr];
    return { at: c, message: `the numeric conditions on ${field} (\`${describeExpr(ir, a)}\` and \`${describeExpr(ir, c)}\`) leave no value, so this AND never matches`, hint: HINT };
  }
  return undefined;
}

function pushTo<T>(map: Map<string, T[]>, key: string, value: T): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}
