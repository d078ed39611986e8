/**
 * Clause coverage over the IR (additive API; nothing else in the engine depends on it):
 * - `instrumentQuery` evaluates each stage's condition the way the engine does (and/or short-circuit)
 *   while counting, for every leaf predicate, how often it came out true and false — branch coverage
 *   for detection rules;
 * - every `not …` inside a stage condition is an *exclusion*; `bites` says on which events an
 *   exclusion is what keeps the stage from matching (the rest of the stage matches, the exclusion
 *   removes the event);
 * - `mutant` compiles the query with one exclusion dropped (`not X` → true) or negated
 *   (`not X` → X), for the mutation check of quiet tests.
 * Only languages that lower to the shared IR (EQL) can be instrumented; others say why not.
 */
import { binderFor } from '../events/views/index.js';
import type { CanonicalEvent } from '../events/types.js';
import { CompileContext, CompileError, ExprCompiler, type Predicate } from './compile.js';
import { EqlSyntaxError } from './eql/errors.js';
import { lowerEql } from './eql/lower.js';
import { parseEql } from './eql/parser.js';
import { compileIR, compileQuery } from './index.js';
import { lineColumn, spanText, type EventQueryNode, type Expr, type QueryIR, type QueryNode, type Span, type StageNode } from './ir.js';
import type { CompileOptions, CompiledQuery } from './types.js';

export interface PredicateSite {
  id: number;
  /** 0-based stage (the `until` stage of a sequence comes after the others). */
  stage: number;
  text: string;
  span: Span;
  /** 1-based position in the query text. */
  line: number;
  column: number;
  /** Under a `not`: part of an exclusion. */
  negated: boolean;
  /** The exclusion it belongs to, if any. */
  exclusion?: number;
}

export interface ExclusionSite {
  id: number;
  stage: number;
  /** The whole `not …` as written. */
  text: string;
  span: Span;
  line: number;
  column: number;
}

export type MutationMode = 'drop' | 'negate';

export interface InstrumentedQuery {
  ir: QueryIR;
  predicates: PredicateSite[];
  exclusions: ExclusionSite[];
  /** Counters indexed by predicate id. */
  trueCounts: number[];
  falseCounts: number[];
  /** Evaluate every stage on one event, counting predicate verdicts; returns the exclusions that bite on it. */
  observe(doc: CanonicalEvent): number[];
  /** The query with one exclusion dropped or negated, compiled like the original. */
  mutant(exclusion: number, mode: MutationMode): CompiledQuery;
}

export type InstrumentResult = { ok: true; query: InstrumentedQuery } | { ok: false; reason: string };

/** Replace one node (by identity) in an expression tree, sharing everything else. */
function replaceExpr(e: Expr, target: Expr, replacement: Expr): Expr {
  if (e === target) return replacement;
  switch (e.kind) {
    case 'and':
    case 'or':
      return { ...e, terms: e.terms.map((t) => replaceExpr(t, target, replacement)) };
    case 'not':
      return { ...e, operand: replaceExpr(e.operand, target, replacement) };
    default:
      return e;
  }
}

function replaceInQuery(root: QueryNode, target: Expr, replacement: Expr): QueryNode {
  const inEvent = (q: EventQueryNode): EventQueryNode => ({ ...q, condition: replaceExpr(q.condition, target, replacement) });
  const inStage = (s: StageNode): StageNode => ({ ...s, query: inEvent(s.query) });
  if (root.kind === 'event') return inEvent(root);
  if (root.kind === 'sequence') return { ...root, stages: root.stages.map(inStage), ...(root.until ? { until: inStage(root.until) } : {}) };
  return { ...root, stages: root.stages.map(inStage) };
}

function stagesOf(root: QueryNode): EventQueryNode[] {
  if (root.kind === 'event') return [root];
  const stages = root.stages.map((s) => s.query);
  if (root.kind === 'sequence' && root.until) stages.push(root.until.query);
  return stages;
}

function categoryMatches(raw: unknown, category: string): boolean {
  if (typeof raw === 'string') return raw === category;
  if (Array.isArray(raw)) return raw.includes(category);
  return false;
}

/** The IR of a query, for the languages that have one here. */
export function queryIR(text: string, options: CompileOptions): { ok: true; ir: QueryIR; options?: CompileOptions } | { ok: false; reason: string } {
  if (options.language !== 'eql') {
    // Other languages lower to the IR inside their own compilers; take it from the compiled query.
    const compiled = compileQuery(text, options);
    if (!compiled.ok) return { ok: false, reason: `the query does not compile: ${compiled.errors[0]?.message ?? 'unknown error'}` };
    const source = compiled.query.source;
    if (!source) return { ok: false, reason: `this ${options.language} query is not evaluated through the shared IR (an aggregation or correlation), so its clauses cannot be instrumented` };
    return { ok: true, ir: source.ir, options: source.options };
  }
  const endgame = options.dialect === 'endgame' || options.dialect === 'endgame-cs';
  try {
    return { ok: true, ir: lowerEql(parseEql(text, { endgame }), text, { endgame, caseSensitive: options.dialect === 'endgame-cs' }) };
  } catch (err) {
    if (err instanceof EqlSyntaxError) return { ok: false, reason: `the query does not parse: ${err.message}` };
    throw err;
  }
}

export function instrumentQuery(text: string, options: CompileOptions): InstrumentResult {
  const parsed = queryIR(text, options);
  if (!parsed.ok) return parsed;
  const ir = parsed.ir;
  if (parsed.options) options = parsed.options;
  const binder = options.binder ?? binderFor(options.fieldView);
  const ctx = new CompileContext({ binder, endgame: options.dialect === 'endgame' || options.dialect === 'endgame-cs', closedSchema: options.closedSchema ?? false });
  const compiler = new ExprCompiler(ctx);
  compiler.sourceText = ir.text;
  const readCategory = ctx.bindPath('event.category').get;

  const predicates: PredicateSite[] = [];
  const exclusions: ExclusionSite[] = [];
  const exclusionNodes: Expr[] = [];
  const leafTests: Predicate[] = [];
  const trueCounts: number[] = [];
  const falseCounts: number[] = [];
  type Evaluator = (doc: CanonicalEvent) => boolean;

  try {
    const stageEvals = stagesOf(ir.root).map((node, stage) => {
      // Build an evaluator mirroring the engine's boolean structure, with counting leaves.
      const build = (e: Expr, negated: boolean, exclusion: number | undefined): Evaluator => {
        if (e.kind === 'and') {
          const parts = e.terms.map((t) => build(t, negated, exclusion));
          return (d) => parts.every((p) => p(d));
        }
        if (e.kind === 'or') {
          const parts = e.terms.map((t) => build(t, negated, exclusion));
          return (d) => parts.some((p) => p(d));
        }
        if (e.kind === 'not') {
          let own = exclusion;
          if (own === undefined) {
            own = exclusions.length;
            exclusions.push({ id: own, stage, text: spanText(ir.text, e.span), span: e.span, ...lineColumn(ir.text, e.span.start) });
            exclusionNodes.push(e);
          }
          // The engine's own verdict for the `not` (three-valued in the legacy dialect), with the operand counted.
          const inner = build(e.operand, !negated, own);
          const verdict = compiler.predicate(e);
          return (d) => {
            inner(d);
            return verdict(d);
          };
        }
        const id = predicates.length;
        const site: PredicateSite = { id, stage, text: spanText(ir.text, e.span), span: e.span, ...lineColumn(ir.text, e.span.start), negated };
        if (exclusion !== undefined) site.exclusion = exclusion;
        predicates.push(site);
        const test = compiler.predicate(e);
        leafTests.push(test);
        trueCounts.push(0);
        falseCounts.push(0);
        return (d) => {
          const v = test(d);
          if (v) trueCounts[id]++;
          else falseCounts[id]++;
          return v;
        };
      };
      const evaluate = build(node.condition, false, undefined);
      return { node, evaluate, full: compiler.predicate(node.condition) };
    });

    // Per exclusion: the stage condition with it dropped, to find the events it removes.
    const withoutExclusion = exclusions.map((x) => {
      const stage = stageEvals[x.stage] as (typeof stageEvals)[number];
      const TRUE: Expr = { kind: 'literal', value: true, span: x.span };
      return compiler.predicate(replaceExpr(stage.node.condition, exclusionNodes[x.id] as Expr, TRUE));
    });

    const query: InstrumentedQuery = {
      ir,
      predicates,
      exclusions,
      trueCounts,
      falseCounts,
      observe(doc) {
        const cats = readCategory(doc);
        const bites: number[] = [];
        stageEvals.forEach((s, stage) => {
          if (s.node.category !== null && !categoryMatches(cats, s.node.category)) return;
          const matched = s.evaluate(doc);
          if (matched) return;
          for (const x of exclusions) {
            if (x.stage === stage && (withoutExclusion[x.id] as Predicate)(doc)) bites.push(x.id);
          }
        });
        return bites;
      },
      mutant(exclusion, mode) {
        const node = exclusionNodes[exclusion] as Extract<Expr, { kind: 'not' }>;
        const replacement: Expr = mode === 'drop' ? { kind: 'literal', value: true, span: node.span } : node.operand;
        return compileIR({ ...ir, root: replaceInQuery(ir.root, node, replacement) }, options);
      },
    };
    return { ok: true, query };
  } catch (err) {
    if (err instanceof CompileError) return { ok: false, reason: `the query does not compile: ${err.message}` };
    throw err;
  }
}
