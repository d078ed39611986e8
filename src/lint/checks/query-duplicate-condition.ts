import { collectFields, type Expr, type QueryIR, type Scalar } from '../../engine/ir.js';
import { ecsFieldType } from '../../events/views/ecs.js';
import type { Rule } from '../../rules/model.js';
import { conditionsOf, exprKey, describeExpr, exprText, foldCase, queryIR, sameExpr, showValue, spanLocation, walkExpr } from '../query-ir.js';
import type { Finding, LintCheck } from '../types.js';

export const queryDuplicateCondition: LintCheck = {
  id: 'query/duplicate-condition',
  defaultSeverity: 'warning',
  docs: {
    description:
      'The same condition twice in one AND or OR, or the same value twice in one list (`in (…)`, a Sigma value list, ' +
      'a wildcard list), changes nothing the query matches; it is usually a copy-paste slip where another value was ' +
      'meant. Works on the shared IR (EQL, KQL, Sigma); values compare case-insensitively where the operator does. ' +
      'Reported at the repeated condition or value.',
  },
  check(rule, context) {
    const findings: Finding[] = rule.format === 'sigma' ? sigmaListDuplicates(rule.raw) : [];
    const ir = queryIR(rule, context);
    if (!ir) return findings;
    const seen = new Set<string>();
    const report = (at: Expr, message: string, hint: string) => {
      const location = spanLocation(rule, ir, at.span);
      const key = `${location.line}:${location.column}:${message}`;
      if (seen.has(key)) return; // Sigma repeats a selection once per logsource variant
      seen.add(key);
      findings.push({ location, message, hint });
    };
    for (const condition of conditionsOf(ir)) {
      walkExpr(condition, (e) => {
        if (e.kind === 'and' || e.kind === 'or') repeatedTerms(rule, ir, e.kind, e.terms, report);
        // Sigma's lowering merges and de-duplicates value lists, so its lists are read from the document.
        else if (e.kind === 'in' && rule.format !== 'sigma') repeatedValues(ir, e, report);
        else if (e.kind === 'match' && rule.format !== 'sigma') repeatedPatterns(ir, e, report);
      });
    }
    return findings;
  },
};

type Report = (at: Expr, message: string, hint: string) => void;

function repeatedTerms(rule: Rule, ir: QueryIR, kind: 'and' | 'or', terms: readonly Expr[], report: Report): void {
  // Only terms that share a kind and a field can be equal: compare just those (most ANDs have none).
  const shapes = terms.map(shapeOf);
  const counts = new Map<string, number>();
  for (const shape of shapes) counts.set(shape, (counts.get(shape) ?? 0) + 1);
  if (counts.size === terms.length) return;
  // Per shape, the first term of each distinct condition seen so far, in order.
  const firsts = new Map<string, Expr[]>();
  for (let t = 0; t < terms.length; t++) {
    const term = terms[t]!;
    const shape = shapes[t]!;
    if (counts.get(shape)! < 2) continue;
    // Analysed-text conditions compare tokens: two different phrases can lower to the same tokens
    // ("$pSHoMe[" and "+$pSHoMe["), which says more about the analyzer than about the author.
    if (readsAnalysedText(term)) continue;
    let seen = firsts.get(shape);
    if (!seen) firsts.set(shape, (seen = []));
    // Large groups are keyed (linear); small ones compared pairwise, which stops at the first difference.
    const earlier = seen.length > 16 ? keyedEqual(seen, term) : seen.find((e) => sameExpr(e, term));
    if (!earlier) {
      seen.push(term);
      continue;
    }
    // Two copies from one place in the text are the lowering's (a Sigma field with several
    // aliases, a null test), not the author's.
    if (earlier.span.start === term.span.start && earlier.span.end === term.span.end) continue;
    // Sigma lowers `field: null` to "missing or empty", which repeats a written `field: ''`; only
    // the same words written twice are the author's duplicate.
    if (rule.format === 'sigma' && exprText(ir, earlier) !== exprText(ir, term)) continue;
    const line = spanLocation(rule, ir, earlier.span).line;
    report(term, `the condition \`${describeExpr(ir, term)}\` appears twice in one ${kind.toUpperCase()} (first at line ${line})`, 'Remove the repeated condition, or correct it to the value that was meant.');
  }
}

function shapeOf(term: Expr): string {
  const field = 'subject' in term && term.subject.kind === 'field' ? term.subject.name : term.kind === 'compare' && term.left.kind === 'field' ? term.left.name : '';
  return `${term.kind}:${field}`;
}

/** The first of `distinct` (pairwise different conditions) with the key of `term`. */
function keyedEqual(distinct: readonly Expr[], term: Expr): Expr | undefined {
  const key = exprKey(term);
  return distinct.find((e) => exprKey(e) === key);
}

function valueKey(value: Scalar, caseInsensitive: boolean): string {
  const text = typeof value === 'string' ? value : `${typeof value}:${String(value)}`;
  return caseInsensitive ? foldCase(text) : text;
}

function subjectName(ir: QueryIR, subject: Expr): string {
  return subject.kind === 'field' ? subject.name : describeExpr(ir, subject);
}

function repeatedValues(ir: QueryIR, e: Extract<Expr, { kind: 'in' }>, report: Report): void {
  const seen = new Set<string>();
  for (const v of e.values) {
    if (v.kind !== 'literal') continue;
    const key = valueKey(v.value, e.caseInsensitive);
    if (!seen.has(key)) {
      seen.add(key);
      continue;
    }
    report(v, `the value ${showValue(v.value)} is listed twice for ${subjectName(ir, e.subject)}`, 'Remove the repeated value, or correct it to the value that was meant.');
  }
}

function repeatedPatterns(ir: QueryIR, e: Extract<Expr, { kind: 'match' }>, report: Report): void {
  const seen = new Set<string>();
  for (const p of e.patterns) {
    const key = valueKey(p, e.caseInsensitive);
    if (!seen.has(key)) {
      seen.add(key);
      continue;
    }
    // The patterns of one match carry no spans of their own: report at the match.
    report(e, `the value ${showValue(p)} is listed twice for ${subjectName(ir, e.subject)}`, 'Remove the repeated value, or correct it to the value that was meant.');
  }
}

/**
 * Sigma value lists, read from the document: the lowering already folds a repeated value away, so
 * the IR cannot show it. Values compare case-insensitively unless the key has the `cased` modifier.
 */
function sigmaListDuplicates(raw: unknown): Finding[] {
  const detection = (raw as { detection?: unknown } | undefined)?.detection;
  if (!detection || typeof detection !== 'object') return [];
  const out: Finding[] = [];
  const visitMap = (map: Record<string, unknown>, path: string) => {
    for (const [key, value] of Object.entries(map)) {
      if (!Array.isArray(value)) continue;
      // Encoded (base64) and regex values keep their case; `cased` asks for it.
      const cased = key.split('|').slice(1).some((m) => m === 'cased' || m === 're' || m.startsWith('base64') || m.startsWith('wide') || m === 'utf16' || m === 'utf16le' || m === 'utf16be');
      const seen = new Set<string>();
      value.forEach((item, index) => {
        if (item === null || typeof item === 'object') return;
        const text = String(item);
        const k = cased ? text : foldCase(text);
        if (!seen.has(k)) {
          seen.add(k);
          return;
        }
        out.push({
          path: `${path}.${key}.${index}`,
          message: `the value ${JSON.stringify(text)} is listed twice for ${key}`,
          hint: 'Remove the repeated value, or correct it to the value that was meant.',
        });
      });
    }
  };
  for (const [name, selection] of Object.entries(detection as Record<string, unknown>)) {
    if (name === 'condition' || name === 'timeframe' || !selection || typeof selection !== 'object') continue;
    if (Array.isArray(selection)) {
      selection.forEach((item, i) => {
        if (item && typeof item === 'object' && !Array.isArray(item)) visitMap(item as Record<string, unknown>, `detection.${name}.${i}`);
      });
    } else visitMap(selection as Record<string, unknown>, `detection.${name}`);
  }
  return out;
}

function readsAnalysedText(expr: Expr): boolean {
  if (expr.kind === 'fieldPattern') return true;
  return collectFields(expr).some((f) => {
    const type = ecsFieldType(f.name);
    return type === 'text' || type === 'match_only_text';
  });
}
