/**
 * A RuleTester in the manner of ESLint's: each case is a set of rule files written to a scratch
 * repository, loaded by the real loader and linted with one check; valid cases must yield nothing,
 * invalid ones exactly the listed findings, each at the line its `at` pattern matches.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { stringify } from 'yaml';
import { lintRules, type LintCheck } from '../../src/lint/index.js';
import { loadRules } from '../../src/rules/index.js';
import type { Diagnostic } from '../../src/util/diagnostics.js';

type Files = Record<string, string>;

export interface ValidCase {
  name: string;
  files: Files;
}

export interface ExpectedFinding {
  /** Defaults to the only (or first) file of the case. */
  file?: string;
  /** A pattern whose first match in the file gives the expected line (and column, with `column: true`). */
  at: RegExp;
  /** Skip this many earlier matches of `at`. */
  nth?: number;
  column?: boolean;
  message: RegExp;
  hint?: RegExp;
  severity?: Diagnostic['severity'];
}

export interface InvalidCase extends ValidCase {
  errors: ExpectedFinding[];
}

interface Tap {
  test(name: string, fn: (t: Tap) => Promise<void>): Promise<unknown>;
  same(a: unknown, b: unknown, msg?: string): void;
  equal(a: unknown, b: unknown, msg?: string): void;
  match(a: unknown, b: unknown, msg?: string): void;
  ok(a: unknown, msg?: string): void;
  teardown(fn: () => void): void;
}

async function lintCase(t: Tap, check: LintCheck, files: Files, severities: Record<string, 'error' | 'warning' | 'info' | 'off'> = {}) {
  const dir = mkdtempSync(path.join(tmpdir(), 'ruleproof-lint-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    writeFileSync(path.join(dir, name), text);
  }
  const loaded = await loadRules(['.'], { root: dir });
  t.same(loaded.diagnostics, [], 'the case loads cleanly');
  return { dir, findings: lintRules(loaded.rules, { attackVersion: '18.1', severities, checks: [check] }) };
}

function positionOf(dir: string, file: string, pattern: RegExp, nth = 0): { line: number; column: number } {
  const lines = readFileSync(path.join(dir, file), 'utf8').split(/\r?\n/);
  let seen = 0;
  for (const [i, text] of lines.entries()) {
    const m = pattern.exec(text);
    if (m && seen++ === nth) return { line: i + 1, column: m.index + 1 };
  }
  throw new Error(`${pattern} does not occur in ${file}`);
}

export async function runCheckCases(t: Tap, check: LintCheck, cases: { valid: ValidCase[]; invalid: InvalidCase[] }): Promise<void> {
  for (const c of cases.valid) {
    await t.test(`valid: ${c.name}`, async (t) => {
      const { findings } = await lintCase(t, check, c.files);
      t.same(findings, [], 'no findings');
    });
  }
  for (const c of cases.invalid) {
    await t.test(`invalid: ${c.name}`, async (t) => {
      const { dir, findings } = await lintCase(t, check, c.files);
      t.equal(findings.length, c.errors.length, `${c.errors.length} finding(s): ${JSON.stringify(findings, null, 1)}`);
      const defaultFile = Object.keys(c.files)[0]!;
      for (const [i, want] of c.errors.entries()) {
        const got = findings[i];
        const file = want.file ?? defaultFile;
        const pos = positionOf(dir, file, want.at, want.nth);
        t.match(
          got,
          { file, line: pos.line, code: check.id, severity: want.severity ?? check.defaultSeverity, message: want.message },
          `finding ${i + 1}: ${want.message}`,
        );
        if (want.column) t.equal(got?.column, pos.column, `finding ${i + 1}: column`);
        t.ok(got?.hint, `finding ${i + 1} says what to do`);
        if (want.hint) t.match(got?.hint, want.hint);
      }
    });
  }
  await t.test(`${check.id}: "off" disables it and a severity override applies`, async (t) => {
    const sample = cases.invalid[0];
    if (!sample) return;
    const off = await lintCase(t, check, sample.files, { [check.id]: 'off' });
    t.same(off.findings, [], 'off: no findings');
    const info = await lintCase(t, check, sample.files, { [check.id]: 'info' });
    t.ok(info.findings.length > 0 && info.findings.every((f) => f.severity === 'info'), 'overridden severity');
  });
}

/** A native rule with sensible defaults; pass fields to override (undefined removes one). */
export function nativeRule(fields: Record<string, unknown> = {}): string {
  const base: Record<string, unknown> = {
    id: '0b1c6f7e-1b7a-4a4e-9a55-1f0c1d2e3f40',
    version: 1,
    name: 'Test Rule',
    description: 'A rule for tests.',
    severity: 'medium',
    risk_score: 47,
    threat: [],
    query: { language: 'eql', field_view: 'ecs', text: 'process where process.name == "cmd.exe"\n' },
  };
  const merged: Record<string, unknown> = { ...base, ...fields };
  for (const [k, v] of Object.entries(merged)) if (v === undefined) delete merged[k];
  return stringify(merged, { lineWidth: 0 });
}

/** A threat entry in the native format. */
export function threat(tactic: [string, string], technique?: [string, string], subtechnique?: [string, string]): Record<string, unknown> {
  const ref = ([id, name]: [string, string]) => ({ id, name });
  return {
    tactic: ref(tactic),
    ...(technique ? { technique: ref(technique) } : {}),
    ...(subtechnique ? { subtechnique: ref(subtechnique) } : {}),
  };
}
