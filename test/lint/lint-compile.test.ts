/**
 * Differential tests for what lint compiles: the lint-purpose compile (`CompileOptions.purpose:
 * 'lint'`) against the full one, and `sameExpr` (query/duplicate-condition's structural equality)
 * against equal `exprKey`s. Over every bundled rule, the rule fixtures, and a few hundred seeded
 * mutations of their queries (most of which do not compile, so errors are compared too).
 */
import path from 'node:path';
import t from 'tap';
import { compileQuery } from '../../src/engine/index.js';
import type { Expr } from '../../src/engine/ir.js';
import type { CompileOptions, CompileResult } from '../../src/engine/types.js';
import { exprKey, sameExpr, walkExpr, conditionsOf } from '../../src/lint/query-ir.js';
import { loadRules } from '../../src/rules/index.js';
import type { Rule } from '../../src/rules/model.js';

const root = path.resolve(import.meta.dirname, '../..');
const RULE_PATHS = ['detections', 'test/fixtures/rules/valid', 'test/fixtures/rules/broken', 'test/fixtures/rules/nested', 'test/fixtures/escu/v5', 'test/fixtures/escu/filter-override'];

function optionsOf(rule: Rule, text: string): CompileOptions {
  const parsed = rule.query.parsed?.();
  return {
    language: rule.query.language,
    fieldView: rule.query.fieldView,
    ...(rule.query.dialect ? { dialect: rule.query.dialect } : {}),
    ...(parsed && parsed.text === text ? { parsed } : {}),
  };
}

/** Everything lint reads of a compile, as comparable text (the options object aside). */
function lintView(result: CompileResult): string {
  if (!result.ok) return JSON.stringify({ errors: result.errors });
  const q = result.query;
  return JSON.stringify({ language: q.language, fields: q.fields, unknownFields: q.unknownFields, stageCount: q.stageCount, ir: q.source?.ir ?? null });
}

function compileBoth(text: string, options: CompileOptions): { full: string; lint: string; fullResult: CompileResult } {
  const run = (o: CompileOptions) => {
    try {
      return compileQuery(text, o);
    } catch (e) {
      return { ok: false as const, errors: [{ kind: 'semantic' as const, message: `crashed: ${(e as Error).message}`, line: 0, column: 0 }] };
    }
  };
  const fullResult = run(options);
  return { full: lintView(fullResult), lint: lintView(run({ ...options, purpose: 'lint' })), fullResult };
}

/** A seeded generator (mulberry32), so a failure can be replayed. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let x = Math.imul(a ^ (a >>> 15), 1 | a);
    x = (x + Math.imul(x ^ (x >>> 7), 61 | x)) ^ x;
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
  };
}

const INSERTS = ['"', "'", '(', ')', ' and ', ' or ', ' not ', '*', '?', '~', ':', '==', ' : ', '\\', '/(a+)+$/', '[', ']', '|re', '|contains', ' in ("a", "A", "a")', 'regex("(a|a)*b")', 'cidrMatch(source.ip, "10.0.0.0/33")', ' > ', '1.5', 'true', 'null', '\n', '  ', 'process.name', 'Image', 'nonexistent.field', '| head 5', '$x$', '`macro`'];

function mutate(text: string, next: () => number): string {
  const at = Math.floor(next() * (text.length + 1));
  const kind = Math.floor(next() * 5);
  if (kind === 0) return text.slice(0, at) + text.slice(at + 1 + Math.floor(next() * 3));
  if (kind === 1 || kind === 2) return text.slice(0, at) + INSERTS[Math.floor(next() * INSERTS.length)] + text.slice(at);
  if (kind === 3) {
    const from = Math.floor(next() * text.length);
    return text.slice(0, at) + text.slice(from, from + 1 + Math.floor(next() * 40)) + text.slice(at);
  }
  return text.slice(0, at) + text.slice(at).replace(/[a-z]/, (c) => c.toUpperCase());
}

const loaded = await loadRules(RULE_PATHS, { root });

t.test('the rules under test load and cover every IR-based language and a correlation', async (t) => {
  const languages = new Set(loaded.rules.map((r) => r.query.language));
  for (const language of ['eql', 'kql', 'sigma', 'spl']) t.ok(languages.has(language as never), `a ${language} rule is among them`);
  t.ok(loaded.rules.some((r) => r.format === 'sigma' && /^correlation:/m.test(r.query.text)), 'a Sigma correlation is among them');
  t.ok(loaded.rules.length >= 20, `${loaded.rules.length} rules`);
});

t.test('lint-purpose compile equals the full compile on every rule as written', async (t) => {
  let compiled = 0;
  let withLiterals = 0;
  for (const rule of loaded.rules) {
    const { full, lint, fullResult } = compileBoth(rule.query.text, optionsOf(rule, rule.query.text));
    t.equal(lint, full, `${rule.source.file} (${rule.query.language})`);
    if (fullResult.ok) {
      compiled++;
      if (fullResult.query.literals || fullResult.query.admission) withLiterals++;
    }
  }
  t.ok(compiled > 10, `${compiled} rules compile`);
  // What the lint compile leaves out is really built by the full one (else the test proves nothing).
  t.ok(withLiterals > 5, `${withLiterals} full compiles carry prefilter literals or admission gates`);
});

t.test('the lint compile leaves out only the replay parts', async (t) => {
  const rule = loaded.rules.find((r) => r.query.language === 'eql' && compileQuery(r.query.text, optionsOf(r, r.query.text)).ok);
  if (!rule) return t.fail('no EQL rule compiles');
  const lint = compileQuery(rule.query.text, { ...optionsOf(rule, rule.query.text), purpose: 'lint' });
  t.ok(lint.ok);
  if (lint.ok) {
    t.equal(lint.query.literals, undefined, 'no prefilter literals');
    t.equal(lint.query.admission, undefined, 'no admission gates');
    t.type(lint.query.newDetector, 'function', 'still a runnable query');
  }
});

t.test('lint-purpose compile equals the full compile on seeded mutations of every query', async (t) => {
  const next = random(20260523);
  let cases = 0;
  let failing = 0;
  let succeeding = 0;
  for (const rule of loaded.rules) {
    for (let i = 0; i < 25; i++) {
      let text = rule.query.text;
      const edits = 1 + Math.floor(next() * 3);
      for (let e = 0; e < edits; e++) text = mutate(text, next);
      const { full, lint, fullResult } = compileBoth(text, optionsOf(rule, text));
      if (lint !== full) t.equal(lint, full, `${rule.source.file} mutation ${i}: ${JSON.stringify(text.slice(0, 200))}`);
      cases++;
      if (fullResult.ok) succeeding++;
      else failing++;
    }
  }
  t.ok(cases >= 300, `${cases} mutated queries compared`);
  t.ok(failing > 50 && succeeding > 50, `${succeeding} compile, ${failing} do not: both paths are exercised`);
});

/** Every subexpression of every compiled IR, for the equality property below. */
function allExprs(): Expr[] {
  const out: Expr[] = [];
  for (const rule of loaded.rules) {
    const r = compileQuery(rule.query.text, { ...optionsOf(rule, rule.query.text), purpose: 'lint' });
    if (!r.ok || !r.query.source) continue;
    for (const c of conditionsOf(r.query.source.ir)) walkExpr(c, (e) => out.push(e));
  }
  return out;
}

t.test('sameExpr agrees with equal exprKeys on every pair of same-kind subexpressions', async (t) => {
  const exprs = allExprs();
  t.ok(exprs.length > 200, `${exprs.length} subexpressions`);
  const byKind = new Map<string, Expr[]>();
  for (const e of exprs) byKind.set(e.kind, [...(byKind.get(e.kind) ?? []), e]);
  let pairs = 0;
  let equal = 0;
  let mismatches = 0;
  for (const group of byKind.values()) {
    const sample = group.slice(0, 150);
    for (let i = 0; i < sample.length; i++) {
      for (let j = i; j < sample.length; j++) {
        const a = sample[i]!;
        const b = sample[j]!;
        const byKey = exprKey(a) === exprKey(b);
        if (sameExpr(a, b) !== byKey) mismatches++;
        pairs++;
        if (byKey) equal++;
      }
    }
  }
  t.equal(mismatches, 0, `${pairs} pairs compared`);
  t.ok(equal > exprs.length / 10, `${equal} equal pairs (not only the trivial ones)`);
});

t.test('sameExpr follows exprKey on the edge cases', async (t) => {
  const span = (start: number) => ({ start, end: start + 1 });
  const lit = (value: unknown, at = 0) => ({ kind: 'literal', value, span: span(at) }) as unknown as Expr;
  const cases: Array<[string, Expr, Expr]> = [
    ['spans differ', lit('a', 0), lit('a', 9)],
    ['values differ', lit('a'), lit('b')],
    ['NaN and null print alike', lit(NaN), lit(null)],
    ['Infinity and NaN print alike', lit(Infinity), lit(NaN)],
    ['the string "null" and null differ', lit('null'), lit(null)],
    ['1 and "1" differ', lit(1), lit('1')],
    ['an undefined key counts as absent', { kind: 'field', name: 'x', optional: false, extra: undefined, span: span(0) } as unknown as Expr, { kind: 'field', name: 'x', optional: false, span: span(3) } as unknown as Expr],
    ['key order counts', { kind: 'field', name: 'x', optional: false, span: span(0) } as unknown as Expr, { kind: 'field', optional: false, name: 'x', span: span(0) } as unknown as Expr],
    ['an array against an object', lit([1]), lit({ 0: 1 })],
    ['arrays of different lengths', lit([1, 2]), lit([1])],
    ['nested spans are ignored', { kind: 'not', operand: lit('a', 1), span: span(0) } as unknown as Expr, { kind: 'not', operand: lit('a', 5), span: span(4) } as unknown as Expr],
    ['nested values differ', { kind: 'not', operand: lit('a', 1), span: span(0) } as unknown as Expr, { kind: 'not', operand: lit('b', 1), span: span(0) } as unknown as Expr],
  ];
  for (const [name, a, b] of cases) t.equal(sameExpr(a, b), exprKey(a) === exprKey(b), name);
  t.ok(sameExpr(cases[0]![1], cases[0]![2]), 'equal up to spans');
  t.notOk(sameExpr(cases[1]![1], cases[1]![2]), 'different values');
});
