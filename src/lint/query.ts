/** Queries compiled once per lint run, shared by every query check. */
import { compileQuery } from '../engine/index.js';
import type { CompileResult, QueryError } from '../engine/types.js';
import { ecsFieldNames, SYSMON_TO_ECS } from '../events/views/index.js';
import { fieldSchema, schemaFieldType } from '../events/views/field-schemas.js';
import type { FieldView, Rule } from '../rules/model.js';
import type { LintContext } from './types.js';

/** A compile result, or the message of an engine failure (a bug, reported rather than thrown). */
export type CompileOutcome = CompileResult | { ok: false; crashed: string };

function compiledQueries(context: LintContext): Map<Rule, CompileOutcome> {
  return context.memo('compiled-queries', () => new Map<Rule, CompileOutcome>());
}

/** Drop a rule's compiled query once no check needs it any more (asking again compiles again). */
export function forgetCompiledQuery(rule: Rule, context: LintContext): void {
  compiledQueries(context).delete(rule);
}

export function compiledQuery(rule: Rule, context: LintContext): CompileOutcome {
  const cache = compiledQueries(context);
  let outcome = cache.get(rule);
  if (!outcome) {
    try {
      const parsed = rule.query.parsed?.();
      outcome = compileQuery(rule.query.text, {
        language: rule.query.language,
        fieldView: rule.query.fieldView,
        // Checks read the IR, fields, unknown fields and errors, never the replay-only parts.
        purpose: 'lint',
        ...(rule.query.dialect ? { dialect: rule.query.dialect } : {}),
        ...(parsed ? { parsed } : {}),
      });
    } catch (e) {
      outcome = { ok: false, crashed: (e as Error).message };
    }
    cache.set(rule, outcome);
  }
  return outcome;
}

/** Field names a view knows, for "did you mean" hints. */
export function knownFieldNames(view: FieldView, context: LintContext): readonly string[] {
  return context.memo(`field-names:${view}`, () => {
    if (view === 'sysmon' || view === 'sigma') return [...Object.keys(SYSMON_TO_ECS), ...ecsFieldNames()];
    if (view === 'ecs') return [...ecsFieldNames(), ...fieldSchema('endpoint').types.keys()].sort();
    return ecsFieldNames();
  });
}

/**
 * Whether lint should accept a name the view's binder does not know: in the `ecs` view, the fields
 * Elastic Defend adds to ECS (`process.Ext.*`, `file.Ext.*`, `.caseless` multi-fields, ...) are real
 * fields of the ECS-native endpoint data, so they are not reported as unknown.
 */
export function knownToLint(view: FieldView, name: string): boolean {
  return view === 'ecs' && schemaFieldType(fieldSchema('endpoint'), name) !== undefined;
}

/**
 * The nearest known name for a "did you mean" hint. Only names whose length is within the accepted
 * edit distance can qualify (the distance is at least the length difference), so the search looks
 * at that window of a length-bucketed index instead of every name of the schemas (thousands).
 */
export function suggestField(name: string, view: FieldView, context: LintContext): string | undefined {
  // The same unknown names recur across a repository's rules (SigmaHQ: thousands of uses of a few
  // hundred names): each is looked up once per view.
  const answers = context.memo(`field-suggestions:${view}`, () => new Map<string, string | undefined>());
  if (answers.has(name)) return answers.get(name);
  const answer = nearestFieldName(name, view, context);
  answers.set(name, answer);
  return answer;
}

function nearestFieldName(name: string, view: FieldView, context: LintContext): string | undefined {
  const byLength = context.memo(`field-names-by-length:${view}`, () => {
    const buckets = new Map<number, Array<[number, string]>>();
    knownFieldNames(view, context).forEach((known, order) => {
      let bucket = buckets.get(known.length);
      if (!bucket) buckets.set(known.length, (bucket = []));
      bucket.push([order, known]);
    });
    return buckets;
  });
  const reach = Math.max(2, Math.floor(name.length / 4));
  const candidates: Array<[number, string]> = [];
  for (let length = name.length - reach; length <= name.length + reach; length++) candidates.push(...(byLength.get(length) ?? []));
  // The schema's order, so ties resolve as `closest` over every name would; distances are cut off
  // at the reach (a banded edit distance), which does not change which name is nearest.
  candidates.sort((a, b) => a[0] - b[0]);
  const lower = name.toLowerCase();
  let best: string | undefined;
  let bestDistance = reach + 1;
  for (const [, known] of candidates) {
    const d = known.toLowerCase() === lower ? 0 : boundedEditDistance(name, known, Math.min(reach, bestDistance - 1));
    if (d < bestDistance) {
      best = known;
      bestDistance = d;
      if (d === 0) break;
    }
  }
  return best;
}

/** Levenshtein distance of a and b when it is at most `max`, else `max + 1` (only a band of the table is filled). */
export function boundedEditDistance(a: string, b: string, max: number): number {
  if (max < 0) return 1;
  if (Math.abs(a.length - b.length) > max) return max + 1;
  const big = max + 1;
  let previous = new Array<number>(b.length + 1);
  let current = new Array<number>(b.length + 1);
  for (let j = 0; j <= b.length; j++) previous[j] = j <= max ? j : big;
  for (let i = 1; i <= a.length; i++) {
    const from = Math.max(1, i - max);
    const to = Math.min(b.length, i + max);
    current.fill(big);
    current[0] = i <= max ? i : big;
    let rowMin = current[0]!;
    for (let j = from; j <= to; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      const d = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + cost);
      current[j] = d > big ? big : d;
      if (current[j]! < rowMin) rowMin = current[j]!;
    }
    if (rowMin > max) return big;
    [previous, current] = [current, previous];
  }
  return previous[b.length]! > max ? big : previous[b.length]!;
}

/**
 * Top-level names of the integrations a rule reads that ruleproof ships no schema for. An Elastic
 * rule names them in its index patterns (`logs-aws.cloudtrail-*`), `related_integrations` or
 * `metadata.integration`; a field under one of them (`aws.cloudtrail.user_identity.type`) is that
 * integration's own field, which the shipped schemas cannot judge.
 */
export function unshippedIntegrationRoots(rule: Rule, context: LintContext): ReadonlySet<string> {
  const cache = context.memo('integration-roots', () => new Map<Rule, Set<string>>());
  let roots = cache.get(rule);
  if (roots) return roots;
  roots = new Set<string>();
  const raw = rule.raw as { rule?: { index?: unknown; related_integrations?: unknown }; metadata?: { integration?: unknown } } | undefined;
  const add = (value: string) => {
    for (const part of value.toLowerCase().split('.')) if (part && !SHIPPED_ROOTS.has(part)) roots!.add(part);
  };
  for (const pattern of asArray(raw?.rule?.index)) {
    const dataset = /^(?:logs|metrics|traces)-([a-z0-9_.]+?)[-*]/.exec(pattern)?.[1] ?? /^([a-z0-9_]+)-/.exec(pattern)?.[1];
    if (dataset) add(dataset);
  }
  for (const item of Array.isArray(raw?.rule?.related_integrations) ? raw.rule.related_integrations : []) {
    const { package: pkg, integration } = (item ?? {}) as { package?: unknown; integration?: unknown };
    if (typeof pkg === 'string') add(pkg);
    if (typeof integration === 'string') add(integration);
  }
  for (const name of asArray(raw?.metadata?.integration)) add(name);
  cache.set(rule, roots);
  return roots;
}

/** Top-level names the shipped schemas define (an integration named like one of them is judged). */
const SHIPPED_ROOTS = new Set(['endpoint', 'windows', 'system', 'winlog', 'sysmon', 'powershell', 'process', 'file', 'network', 'registry', 'host', 'user', 'event', 'dns']);

function asArray(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
}

/**
 * A compile error about a regular expression (does not compile, or could backtrack exponentially).
 * `query/regex-safety` reports these; `query/syntax` leaves them to it so each is reported once.
 */
export function isRegexError(error: QueryError): boolean {
  return error.kind !== 'unsupported' && /^(?:invalid regex \[|unsafe regex \[|invalid regular expression|unsafe regular expression)/i.test(error.message);
}
