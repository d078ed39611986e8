/**
 * `compileQuery(text, options)` (contract in `./types.ts`) without the languages other than EQL
 * loaded: `./index.ts` loads them all, `loadLanguages` (`./languages.ts`) the ones a command needs.
 * Each language parses to its own AST, lowers to the shared IR (`./ir.ts`), and the IR compiles
 * to closures (`./compile.ts`) driven by streaming detectors (`./evaluator.ts`).
 */
import { binderFor } from '../events/views/index.js';
import { getField } from '../events/fields.js';
import type { CanonicalEvent } from '../events/types.js';
import { CompileContext, CompileError, ExprCompiler, normalizer } from './compile.js';
import { EqlSyntaxError } from './eql/errors.js';
import { lowerEql } from './eql/lower.js';
import { parseEql } from './eql/parser.js';
import { eventDetector, sampleDetector, sequenceDetector, type KeyReader, type RuntimeStage } from './evaluator.js';
import { collectFields, lineColumn, spanText, type EventQueryNode, type Expr, type QueryIR, type Scalar } from './ir.js';
import { LANGUAGE_COMPILERS, LANGUAGE_MODULES } from './languages.js';
import { exprGate } from './gates.js';
import { queryRequirement } from './prefilter.js';
import type { Admission, ClauseTrace, CompileOptions, CompileResult, CompiledQuery, QueryError, StageExplanation } from './types.js';

export type { CompileOptions, CompileResult, CompiledQuery } from './types.js';

export function compileQuery(text: string, options: CompileOptions): CompileResult {
  const other = LANGUAGE_COMPILERS[options.language];
  if (other) return other(text, options);
  if (options.language in LANGUAGE_MODULES) {
    // A programming error, not a user's: the caller imported ./query.js and skipped loadLanguages.
    throw new Error(`the ${options.language} compiler is not loaded (await loadLanguages(["${options.language}"]) first, or import engine/index.js)`);
  }
  if (options.language !== 'eql') {
    return {
      ok: false,
      errors: [{ kind: 'unsupported', message: `the query language ${options.language} is not supported yet`, line: 1, column: 1 }],
    };
  }
  const endgame = options.dialect === 'endgame' || options.dialect === 'endgame-cs';
  let ir: QueryIR;
  try {
    ir = lowerEql(parseEql(text, { endgame }), text, { endgame, caseSensitive: options.dialect === 'endgame-cs' });
  } catch (err) {
    if (err instanceof EqlSyntaxError) return { ok: false, errors: [err.toQueryError()] };
    throw err;
  }
  try {
    return { ok: true, query: compileIR(ir, options) };
  } catch (err) {
    if (err instanceof CompileError) {
      const { line, column } = lineColumn(text, err.span.start);
      return { ok: false, errors: [{ kind: err.kind, message: err.message, line, column } satisfies QueryError] };
    }
    throw err;
  }
}

interface ExplainStage {
  text: string;
  category: string | null;
  clauses: Array<{ text: string; test: (doc: CanonicalEvent) => boolean; fields: string[] }>;
  matches: (doc: CanonicalEvent) => boolean;
}

/** Compile a language-neutral IR into a `CompiledQuery`. */
export function compileIR(ir: QueryIR, options: CompileOptions): CompiledQuery {
  const binder = options.binder ?? binderFor(options.fieldView);
  const ctx = new CompileContext({ binder, endgame: options.dialect === 'endgame' || options.dialect === 'endgame-cs', closedSchema: options.closedSchema ?? false });
  const compiler = new ExprCompiler(ctx);
  compiler.sourceText = ir.text;
  const category = ctx.bindPath('event.category');
  const readCategory = category.get;
  const categoryPath = category.binding.path;

  const runtimeStage = (node: EventQueryNode, joinKeys: Expr[], missing: boolean): RuntimeStage => ({
    category: node.category,
    condition: compiler.predicate(node.condition),
    keys: joinKeys.map((k) => keyReader(ctx, compiler, k)),
    missing,
  });

  const explainStage = (node: EventQueryNode, span: { start: number; end: number }): ExplainStage => {
    const conjuncts = node.condition.kind === 'and' ? node.condition.terms : [node.condition];
    const condition = compiler.predicate(node.condition);
    const cat = node.category;
    const inCategory = (doc: CanonicalEvent) => cat === null || categoryMatches(readCategory(doc), cat);
    return {
      text: spanText(ir.text, span),
      category: cat,
      clauses: conjuncts.map((c) => ({
        text: spanText(ir.text, c.span),
        test: compiler.predicate(c),
        fields: [...new Set(collectFields(c).map((f) => ctx.bind(f).binding.path))],
      })),
      matches: (doc) => inCategory(doc) && condition(doc),
    };
  };

  const root = ir.root;
  const pipes = ir.pipes.map((p) => ({ kind: p.kind, count: p.count }));
  let newDetector: CompiledQuery['newDetector'];
  // Built on the first `explain` call: they compile each stage again, clause by clause, which only
  // explanations need (a lint run or a replay of passing tests never asks).
  let explainNodes: Array<{ node: EventQueryNode; span: { start: number; end: number } }>;
  let explainStages: ExplainStage[] | undefined;
  let stageCount: number;
  if (root.kind === 'event') {
    const stage = runtimeStage(root, [], false);
    newDetector = (onAlert) => eventDetector(stage, readCategory, pipes, onAlert);
    explainNodes = [{ node: root, span: root.span }];
    stageCount = 1;
  } else if (root.kind === 'sequence') {
    const stages = root.stages.map((s) => runtimeStage(s.query, s.joinKeys, s.missing));
    const until = root.until ? runtimeStage(root.until.query, root.until.joinKeys, false) : undefined;
    const spec = { stages, ...(until ? { until } : {}), ...(root.maxspanMs !== undefined ? { maxspanMs: root.maxspanMs } : {}) };
    newDetector = (onAlert) => sequenceDetector(spec, readCategory, pipes, onAlert);
    explainNodes = root.stages.map((s) => ({ node: s.query, span: s.span }));
    stageCount = root.stages.length;
  } else {
    const stages = root.stages.map((s) => runtimeStage(s.query, s.joinKeys, false));
    const spec = { stages, maxSamplesPerKey: options.maxSamplesPerKey ?? 1 };
    newDetector = (onAlert) => sampleDetector(spec, readCategory, pipes, onAlert);
    explainNodes = root.stages.map((s) => ({ node: s.query, span: s.span }));
    stageCount = root.stages.length;
  }

  const fields = [...ctx.fields].filter((f) => f !== categoryPath || usesCategory(ir)).sort();
  const unknownFields = ctx.unknown
    .map((f) => ({ name: f.name, ...lineColumn(ir.text, f.span.start) }))
    .sort((a, b) => a.line - b.line || a.column - b.column);

  // Only a replay's dispatcher reads these; neither can raise a compile error (they read an IR the
  // predicates above have already compiled), so a lint compile reports exactly the same problems.
  const forReplay = options.purpose !== 'lint';
  const literals = forReplay ? queryRequirement(ir, ctx) : null;
  const admission = forReplay ? queryAdmission(root, ctx, readCategory) : undefined;
  return {
    language: options.language,
    fields,
    unknownFields,
    stageCount,
    ...(literals ? { literals } : {}),
    ...(admission ? { admission } : {}),
    // What was compiled, with the binder actually used, so tools such as clause coverage can
    // instrument any language that lowers to the IR.
    source: { ir, options: { ...options, binder } },
    newDetector,
    explain(doc: CanonicalEvent): StageExplanation[] {
      explainStages ??= explainNodes.map((e) => explainStage(e.node, e.span));
      return explainStages.map((s, i) => {
        const categoryMatched = s.category === null || categoryMatches(readCategory(doc), s.category);
        const clauses: ClauseTrace[] = s.clauses.map((c) => {
          const values: Record<string, unknown> = {};
          for (const f of c.fields) values[f] = getField(doc, f) ?? null;
          return { text: c.text, matched: c.test(doc), values };
        });
        const out: StageExplanation = {
          stage: i,
          text: s.text,
          categoryMatched,
          clauses,
          matched: categoryMatched && s.matches(doc),
        };
        if (s.category !== null) out.category = s.category;
        return out;
      });
    },
  };
}

/**
 * When the query's detector can react to an event (`CompiledQuery.admission`): per stage (also
 * `until` and missing-event stages, whose events change the outcome), its category and gate.
 * Undefined when some stage takes every event (no category, no gate): nothing can be left out.
 */
function queryAdmission(root: QueryIR['root'], ctx: CompileContext, readCategory: (doc: CanonicalEvent) => unknown): Admission | undefined {
  const nodes = root.kind === 'event' ? [root] : [...root.stages.map((s) => s.query), ...(root.kind === 'sequence' && root.until ? [root.until.query] : [])];
  const stages: Admission['stages'] = [];
  for (const n of nodes) {
    const gate = exprGate(ctx, n.condition);
    if (n.category === null && gate === null) return undefined;
    stages.push({ category: n.category, gate });
  }
  return { readCategory, stages };
}

function usesCategory(ir: QueryIR): boolean {
  const r = ir.root;
  if (r.kind === 'event') return r.category !== null;
  return r.stages.some((s) => s.query.category !== null) || (r.kind === 'sequence' && !!r.until && r.until.query.category !== null);
}

function categoryMatches(raw: unknown, category: string): boolean {
  if (typeof raw === 'string') return raw === category;
  if (Array.isArray(raw)) return raw.includes(category);
  return false;
}

/**
 * A join-key reader: the distinct normalised values of the key field (a multi-valued field fans
 * out), `[null]` for a missing optional `?field`, and null (cannot join) for a missing field.
 */
function keyReader(ctx: CompileContext, compiler: ExprCompiler, k: Expr): KeyReader {
  if (k.kind !== 'field') {
    // Legacy dialect: a computed key (`by unique_pid * 2`); null does not join.
    const v = compiler.value(k);
    return (doc) => {
      const x = v(doc);
      return x === null ? null : [x];
    };
  }
  const b = ctx.bind(k);
  const norm = normalizer(b.cls);
  const get = b.get;
  const optional = k.optional;
  const NULL_KEY: Scalar[] = [null];
  return (doc) => {
    const raw = get(doc);
    if (raw === undefined || raw === null) return optional ? NULL_KEY : null;
    if (Array.isArray(raw)) {
      const out: Scalar[] = [];
      for (const v of raw) {
        if (v === null || v === undefined) continue;
        const x = norm(v);
        if (x !== undefined && !out.includes(x)) out.push(x);
      }
      if (out.length === 0) return optional ? NULL_KEY : null;
      return out;
    }
    const x = norm(raw);
    if (x === undefined) return optional ? NULL_KEY : null;
    return [x];
  };
}
