/**
 * Lowering of the EQL syntax tree to the shared IR (`../ir.ts`). Dialect rules are applied here:
 * in Elasticsearch EQL `==`/`!=`/`in` are case-sensitive and `:` is the case-insensitive wildcard
 * match; in the legacy endgame dialect `==`/`=`/`!=`/`in` are case-insensitive and `==` with a
 * `*` in a string literal is a wildcard match.
 */
import type { AstExpr, AstQuery, AstStage, AstStatement } from './ast.js';
import { EqlSyntaxError } from './errors.js';
import type {
  CompareOp,
  EventQueryNode,
  Expr,
  FieldRef,
  PipeNode,
  QueryIR,
  QueryNode,
  Scalar,
  StageNode,
} from '../ir.js';
import type { AstEventQuery } from './ast.js';

export interface LowerOptions {
  endgame: boolean;
  /** Legacy dialect in its case-sensitive mode (the Python engine offers both). */
  caseSensitive?: boolean;
}

/** Canonical spelling of every Elasticsearch EQL function (names are case-insensitive). */
const ES_FUNCTIONS = new Map(
  [
    'add',
    'between',
    'cidrMatch',
    'concat',
    'divide',
    'endsWith',
    'indexOf',
    'length',
    'modulo',
    'multiply',
    'number',
    'startsWith',
    'string',
    'stringContains',
    'substring',
    'subtract',
  ].map((n) => [n.toLowerCase(), n]),
);

/** Functions that accept the `~` case-insensitive form in Elasticsearch. */
const CASE_FUNCTIONS = new Set(['between', 'endsWith', 'indexOf', 'startsWith', 'stringContains']);

/** Arity: [min, max] (max Infinity for variadic). */
const ARITY: Record<string, [number, number]> = {
  add: [2, 2],
  between: [3, 4],
  cidrMatch: [2, Infinity],
  concat: [1, Infinity],
  divide: [2, 2],
  endsWith: [2, 2],
  indexOf: [2, 3],
  length: [1, 1],
  modulo: [2, 2],
  multiply: [2, 2],
  number: [1, 2],
  startsWith: [2, 2],
  string: [1, 1],
  stringContains: [2, 2],
  substring: [2, 3],
  subtract: [2, 2],
};

/** Legacy endgame functions that Elasticsearch never had; rejected as unsupported. */
const ENDGAME_ONLY = new Set(['arraycontains', 'arraysearch', 'arraycount', 'safe']);

/** Legacy functions the endgame dialect runs (regular expressions and wildcards as functions). */
const ENDGAME_FUNCTIONS = new Map([['match', 'match'], ['matchlite', 'matchLite'], ['wildcard', 'wildcard']]);

/** Elasticsearch rejects these legacy pipes with this message. */
const LEGACY_PIPES = new Set(['count', 'unique', 'unique_count', 'filter', 'sort', 'window']);

const TIME_UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

export function lowerEql(ast: AstStatement, text: string, options: LowerOptions): QueryIR {
  return new Lowerer(text, options).statement(ast);
}

class Lowerer {
  /** Whether string comparisons ignore case (the legacy dialect's default mode). */
  private readonly ci: boolean;
  constructor(
    private readonly text: string,
    private readonly options: LowerOptions,
  ) {
    this.ci = options.endgame && !options.caseSensitive;
  }

  private fail(message: string, offset: number, kind: 'syntax' | 'unsupported' | 'semantic' = 'semantic'): never {
    throw new EqlSyntaxError(message, this.text, offset, kind);
  }

  statement(ast: AstStatement): QueryIR {
    const root = this.query(ast.query);
    const pipes: PipeNode[] = [];
    for (const p of ast.pipes) {
      const name = p.name.toLowerCase();
      if (name === 'head' || name === 'tail') {
        let count = 10;
        if (p.args.length > 1) this.fail(`Pipe [${name}] expects at most one argument`, (p.args[1] as AstExpr).start);
        const arg = p.args[0];
        if (arg) {
          if (arg.type !== 'literal' || typeof arg.value !== 'number' || !Number.isInteger(arg.value) || arg.value < 0) {
            this.fail(`Pipe [${name}] expects a non-negative integer, found [${this.text.slice(arg.start, arg.end)}]`, arg.start);
          }
          count = arg.value;
        }
        pipes.push({ kind: name, count, span: { start: p.start, end: p.end } });
      } else if (LEGACY_PIPES.has(name)) {
        this.fail(`Pipe [${p.name}] is not supported`, p.nameStart, 'unsupported');
      } else {
        this.fail(`Unrecognized pipe [${p.name}]`, p.nameStart, 'syntax');
      }
    }
    return { root, pipes, text: this.text };
  }

  private query(q: AstQuery): QueryNode {
    if (q.type === 'event') return this.eventQuery(q.query);
    const by = q.by;
    if (q.type === 'sample') {
      const stages = q.stages.map((s) => this.stage(s, by));
      this.checkKeyCounts(q.stages, by, stages);
      return { kind: 'sample', stages, span: { start: q.start, end: q.end } };
    }
    const stages: StageNode[] = [];
    for (const s of q.stages) {
      const node = this.stage(s, by);
      // `with runs=N` is N consecutive copies of the stage (as Elasticsearch expands it).
      for (let i = 0; i < node.runs; i++) stages.push(i === 0 ? node : { ...node });
    }
    this.checkKeyCounts(q.stages, by, stages);
    if (!stages.some((s) => !s.missing)) this.fail('A sequence requires at least one positive event query; found none', q.start);
    const until = q.until ? this.stage(q.until, by) : undefined;
    if (until && q.until && until.joinKeys.length !== (stages[0] as StageNode).joinKeys.length) {
      this.fail(
        `Inconsistent number of join keys specified; expected [${(stages[0] as StageNode).joinKeys.length}] but found [${until.joinKeys.length}]`,
        q.until.start,
      );
    }
    const node: QueryNode = {
      kind: 'sequence',
      stages,
      span: { start: q.start, end: q.end },
    };
    if (q.maxspan) node.maxspanMs = q.maxspan.value * (TIME_UNIT_MS[q.maxspan.unit] ?? 1000);
    if (until) node.until = until;
    return node;
  }

  private checkKeyCounts(astStages: AstStage[], by: AstExpr[], stages: StageNode[]): void {
    const expected = (stages[0] as StageNode).joinKeys.length;
    for (const [i, s] of astStages.entries()) {
      const n = by.length + s.by.length;
      if (n !== expected) {
        this.fail(`Inconsistent number of join keys specified; expected [${expected}] but found [${n}]`, s.start);
      }
      void i;
    }
  }

  private stage(s: AstStage, by: AstExpr[]): StageNode {
    const query = this.eventQuery(s.query);
    const joinKeys = [...by, ...s.by].map((k) => this.joinKey(k));
    return { query, joinKeys, runs: s.runs?.value ?? 1, missing: s.missing, span: { start: s.start, end: s.end } };
  }

  private joinKey(k: AstExpr): Expr {
    if (k.type !== 'field' && !this.options.endgame) this.fail(`Join keys must be fields; found [${this.text.slice(k.start, k.end)}]`, k.start, 'unsupported');
    return this.expr(k);
  }

  private eventQuery(q: AstEventQuery): EventQueryNode {
    return {
      kind: 'event',
      category: q.category,
      categorySpan: { start: q.categoryStart, end: q.categoryEnd },
      condition: this.expr(q.condition),
      span: { start: q.start, end: q.end },
    };
  }

  // ---- expressions ----

  private expr(e: AstExpr): Expr {
    const span = { start: e.start, end: e.end };
    switch (e.type) {
      case 'literal':
        return { kind: 'literal', value: e.value, span };
      case 'field':
        return { kind: 'field', name: e.name, optional: e.optional, span } satisfies FieldRef;
      case 'compare': {
        const op: CompareOp = e.op === '=' ? '==' : e.op;
        const left = this.expr(e.left);
        const right = this.expr(e.right);
        if (this.options.endgame && (op === '==' || op === '!=')) {
          // Legacy: `field == "a*b"` is a case-insensitive wildcard match.
          const pat = right.kind === 'literal' && typeof right.value === 'string' && right.value.includes('*') ? right.value : undefined;
          if (pat !== undefined) {
            const m: Expr = { kind: 'match', mode: 'wildcard', subject: left, patterns: [pat], caseInsensitive: this.ci, span };
            return op === '==' ? m : { kind: 'not', operand: m, span };
          }
        }
        return { kind: 'compare', op, left, right, caseInsensitive: this.ci && isString(left, right), span };
      }
      case 'arith':
        return { kind: 'arith', op: e.op, left: this.expr(e.left), right: this.expr(e.right), span };
      case 'logical': {
        const terms: Expr[] = [];
        this.flatten(e, e.op, terms);
        return { kind: e.op, terms, span };
      }
      case 'not':
        return { kind: 'not', operand: this.expr(e.operand), span };
      case 'negate':
        return { kind: 'negate', operand: this.expr(e.operand), span };
      case 'in': {
        const node: Expr = {
          kind: 'in',
          subject: this.expr(e.subject),
          values: e.values.map((v) => this.expr(v)),
          caseInsensitive: e.insensitive || this.ci,
          span,
        };
        return e.negated ? { kind: 'not', operand: node, span } : node;
      }
      case 'pattern': {
        const patterns: Scalar[] = e.patterns.map((p) => (p.type === 'literal' ? p.value : this.fail('Pattern must be a constant', p.start)));
        const subject = this.expr(e.subject);
        if (e.op === 'regex') {
          return { kind: 'match', mode: 'regex', subject, patterns, caseInsensitive: e.insensitive, span };
        }
        return { kind: 'match', mode: 'wildcard', subject, patterns, caseInsensitive: e.op === ':' || e.insensitive, span };
      }
      case 'call':
        return this.call(e);
    }
  }

  private flatten(e: AstExpr, op: 'and' | 'or', out: Expr[]): void {
    // Only unparenthesised chains flatten: a parenthesised group keeps its own span (its text).
    if (e.type === 'logical' && e.op === op) {
      this.flatten(e.left, op, out);
      this.flatten(e.right, op, out);
    } else {
      out.push(this.expr(e));
    }
  }

  private call(e: AstExpr & { type: 'call' }): Expr {
    const span = { start: e.start, end: e.end };
    const lower = e.name.toLowerCase();
    const legacy = this.options.endgame ? ENDGAME_FUNCTIONS.get(lower) : undefined;
    if (legacy) {
      const args = e.args.map((a) => this.expr(a));
      if (args.length < 2) this.fail(`Function [${e.name}] expects at least 2 argument(s), found [${args.length}]`, e.start, 'semantic');
      return { kind: 'call', name: legacy, args, caseInsensitive: this.ci, span };
    }
    const name = ES_FUNCTIONS.get(lower);
    if (!name) {
      if (ENDGAME_ONLY.has(lower)) this.fail(`Function [${e.name}] is not supported`, e.start, 'unsupported');
      this.fail(`Unknown function [${e.name}]`, e.start, 'semantic');
    }
    if (e.insensitive && !CASE_FUNCTIONS.has(name)) {
      this.fail(`Function [${e.name}] does not support case-insensitive [~] matching`, e.start, 'syntax');
    }
    const [min, max] = ARITY[name] as [number, number];
    if (e.args.length < min || e.args.length > max) {
      const expected = min === max ? `${min}` : max === Infinity ? `at least ${min}` : `${min} to ${max}`;
      this.fail(`Function [${name}] expects ${expected} argument(s), found [${e.args.length}]`, e.start, 'semantic');
    }
    const args = e.args.map((a) => this.expr(a));
    if (name === 'cidrMatch' && args.slice(1).every((a) => a.kind === 'literal' && typeof a.value === 'string')) {
      return { kind: 'cidr', subject: args[0] as Expr, blocks: args.slice(1).map((a) => (a as { value: string }).value), span };
    }
    const caseInsensitive = e.insensitive || (this.ci && CASE_FUNCTIONS.has(name));
    return { kind: 'call', name, args, caseInsensitive, span };
  }
}

function isString(a: Expr, b: Expr): boolean {
  return (a.kind === 'literal' && typeof a.value === 'string') || (b.kind === 'literal' && typeof b.value === 'string') || (a.kind !== 'literal' && b.kind !== 'literal');
}
