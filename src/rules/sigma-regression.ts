/**
 * SigmaHQ's regression-test layout read as ruleproof tests, so that a SigmaHQ checkout (or a team's repository
 * laid out the same way) is gated by ruleproof as it is:
 *
 *   regression_data/<rule folder>/<rule name>/info.yml
 *     rule_metadata:          [{ id: <rule id>, title }]
 *     regression_tests_info:  [{ name, type: evtx, provider, match_count, path: regression_data/…/<id>.evtx }]
 *
 * A rule finds its info.yml through its own `regression_tests_path` field when it has one, and otherwise
 * through the rule ids the info.yml names. SigmaHQ's runner (tests/regression_tests_runner.py) fails a case
 * only when the rule matches fewer events than `match_count` (more is a warning), and without a count when it
 * matches none; a case therefore becomes `expect: fire` with `count: {min: match_count}`, which gates the same
 * checkout the same way. `match_count: 0` (SigmaHQ has none) is read as a case that must stay quiet.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import fg from 'fast-glob';
import type { Diagnostic } from '../util/diagnostics.js';
import { resolveContentPath, toPosixRelative } from '../util/paths.js';
import { errorAt } from './common.js';
import type { Position, Rule, TestCase } from './model.js';
import { parseYamlSource } from './yaml-source.js';

export const REGRESSION_INFO_GLOB = 'regression_data/**/info.{yml,yaml}';
/** Test types ruleproof replays; SigmaHQ also knows `raw` (commented out in its one use) and JSON conversions. */
const REPLAYABLE_TYPES = new Set(['evtx']);

export interface RegressionRuleRef {
  id: string;
  title?: string;
  position: Position;
}

export interface RegressionCase {
  name: string;
  type: string;
  provider?: string;
  /** As written: repository-relative in SigmaHQ. */
  path: string;
  matchCount?: number;
  position: Position;
}

export interface RegressionInfo {
  /** Repository-relative, `/`-separated. */
  file: string;
  id?: string;
  rules: RegressionRuleRef[];
  cases: RegressionCase[];
}

export interface RegressionParse {
  info?: RegressionInfo;
  diagnostics: Diagnostic[];
}

const SCHEMA_HINT = 'An info.yml holds "rule_metadata: [{id: <rule id>, title}]" and "regression_tests_info: [{name, type: evtx, path, match_count}]".';

/** One info.yml into its rule references and cases; every problem is a located diagnostic, never an exception. */
export function parseRegressionInfo(text: string, file: string): RegressionParse {
  const parsed = parseYamlSource(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text, file);
  if (!parsed.ok) return { diagnostics: parsed.diagnostics };
  const { data, positions } = parsed.source;
  const at = (key: string): Position => {
    for (let k = key; ; k = k.slice(0, k.lastIndexOf('.'))) {
      const pos = positions.get(k);
      if (pos) return pos;
      if (!k.includes('.')) return { line: 1, column: 1 };
    }
  };
  const diagnostics: Diagnostic[] = [];
  if (typeof data !== 'object' || data === null || Array.isArray(data)) {
    return { diagnostics: [errorAt(file, undefined, 'sigma-regression/schema', 'the regression info file is not a YAML mapping', SCHEMA_HINT)] };
  }
  const doc = data as Record<string, unknown>;
  const info: RegressionInfo = { file, rules: [], cases: [] };
  if (typeof doc.id === 'string') info.id = doc.id;

  const metadata = doc.rule_metadata;
  if (!Array.isArray(metadata) || !metadata.length) {
    diagnostics.push(errorAt(file, at('rule_metadata'), 'sigma-regression/schema', 'the regression info file names no rule ("rule_metadata" with the rule\'s id is missing)', SCHEMA_HINT));
  } else {
    metadata.forEach((entry, i) => {
      const id = (entry as Record<string, unknown> | null)?.id;
      if (typeof id !== 'string' || !id.trim()) {
        diagnostics.push(errorAt(file, at(`rule_metadata.${i}`), 'sigma-regression/schema', `rule_metadata entry ${i + 1} has no rule id`, SCHEMA_HINT));
        return;
      }
      const title = (entry as Record<string, unknown>).title;
      info.rules.push({ id: id.trim(), ...(typeof title === 'string' ? { title } : {}), position: at(`rule_metadata.${i}.id`) });
    });
  }

  const cases = doc.regression_tests_info;
  // SigmaHQ's runner only warns about an info.yml without cases (its Cisco "raw" case is commented out).
  if (cases === undefined || cases === null) return { info, diagnostics };
  if (!Array.isArray(cases)) {
    diagnostics.push(errorAt(file, at('regression_tests_info'), 'sigma-regression/schema', '"regression_tests_info" must be a list of test cases', SCHEMA_HINT));
    return { info, diagnostics };
  }
  cases.forEach((entry, i) => {
    const key = `regression_tests_info.${i}`;
    if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) {
      diagnostics.push(errorAt(file, at(key), 'sigma-regression/schema', `regression test ${i + 1} is not a mapping`, SCHEMA_HINT));
      return;
    }
    const c = entry as Record<string, unknown>;
    if (typeof c.path !== 'string' || !c.path.trim()) {
      diagnostics.push(errorAt(file, at(key), 'sigma-regression/schema', `regression test ${i + 1} has no "path" to its event file`, SCHEMA_HINT));
      return;
    }
    const count = c.match_count;
    if (count !== undefined && count !== null && !(typeof count === 'number' && Number.isInteger(count) && count >= 0)) {
      diagnostics.push(errorAt(file, at(`${key}.match_count`), 'sigma-regression/schema', `"match_count" must be a whole number of matching events, not ${JSON.stringify(count)}`, SCHEMA_HINT));
      return;
    }
    info.cases.push({
      name: typeof c.name === 'string' && c.name.trim() ? c.name : `Regression test ${i + 1}`,
      type: typeof c.type === 'string' ? c.type.toLowerCase() : 'unknown',
      ...(typeof c.provider === 'string' ? { provider: c.provider } : {}),
      path: c.path.trim().replace(/\\/g, '/'),
      ...(typeof count === 'number' ? { matchCount: count } : {}),
      position: at(key),
    });
  });
  return { info, diagnostics };
}

/**
 * Where a case's event file is: as SigmaHQ writes it, relative to the repository root; failing that, beside
 * the info.yml (a layout a team's own repository may use). Returns the repository-relative path.
 */
export function resolveRegressionPath(root: string, infoFile: string, written: string): { dataset: string; exists: boolean } {
  const fromRoot = resolveContentPath(root, written);
  if (existsSync(fromRoot)) return { dataset: toPosixRelative(root, fromRoot), exists: true };
  const besideInfo = path.resolve(path.dirname(resolveContentPath(root, infoFile)), written);
  if (existsSync(besideInfo)) return { dataset: toPosixRelative(root, besideInfo), exists: true };
  return { dataset: written, exists: false };
}

/** The test cases of one info.yml, with a diagnostic for each case ruleproof cannot run. */
export function regressionTestCases(info: RegressionInfo, root: string): { tests: TestCase[]; diagnostics: Diagnostic[] } {
  const tests: TestCase[] = [];
  const diagnostics: Diagnostic[] = [];
  for (const c of info.cases) {
    const location = { file: info.file, line: c.position.line, column: c.position.column };
    if (!REPLAYABLE_TYPES.has(c.type)) {
      diagnostics.push({
        ...errorAt(info.file, c.position, 'sigma-regression/unsupported-type', `regression test "${c.name}" is of type "${c.type}", which ruleproof does not replay; it is skipped`, 'Give the case an EVTX file ("type: evtx"), or add a ruleproof test in a .tests.yml sidecar.'),
        severity: 'warning',
      });
      continue;
    }
    const resolved = resolveRegressionPath(root, info.file, c.path);
    if (!resolved.exists) {
      diagnostics.push(
        errorAt(info.file, c.position, 'sigma-regression/missing-file', `regression test "${c.name}": the event file "${c.path}" does not exist`, 'Paths in info.yml are relative to the repository root (regression_data/…); commit the file or fix the path.'),
      );
      continue;
    }
    const test: TestCase = { name: c.name, dataset: resolved.dataset, expect: 'fire', location };
    if (c.matchCount === undefined) {
      // SigmaHQ's runner without a count: the rule must match at least one event.
    } else if (c.matchCount > 0) {
      test.count = { min: c.matchCount };
    } else {
      test.expect = 'quiet';
      test.reason = `${info.file} expects no match (match_count: 0)`;
    }
    tests.push(test);
  }
  return { tests, diagnostics };
}

interface LoadedInfo {
  parse: RegressionParse;
  attached: boolean;
}

/**
 * Attach the regression tests of every info.yml under `<root>/regression_data/` (and of every info.yml a Sigma
 * rule names in `regression_tests_path`) to the Sigma rules they name. Info files that name no loaded rule are
 * left alone: the run may cover only part of the repository.
 */
export async function attachSigmaRegressionTests(rules: readonly Rule[], root: string): Promise<{ diagnostics: Diagnostic[]; failedFiles: string[] }> {
  const sigmaRules = rules.filter((r) => r.format === 'sigma');
  const diagnostics: Diagnostic[] = [];
  const failed = new Set<string>();
  if (!sigmaRules.length) return { diagnostics, failedFiles: [] };

  const infos = new Map<string, LoadedInfo>();
  const load = (file: string): LoadedInfo | undefined => {
    const known = infos.get(file);
    if (known) return known;
    let text: string;
    try {
      text = readFileSync(resolveContentPath(root, file), 'utf8');
    } catch {
      return undefined;
    }
    const entry = { parse: parseRegressionInfo(text, file), attached: false };
    infos.set(file, entry);
    return entry;
  };
  const found = await fg(REGRESSION_INFO_GLOB, { cwd: root, onlyFiles: true, followSymbolicLinks: false, suppressErrors: true, ignore: ['**/node_modules/**'] });
  for (const file of found.sort()) load(file);

  const byRuleId = new Map<string, string[]>();
  const index = (file: string, entry: LoadedInfo) => {
    for (const ref of entry.parse.info?.rules ?? []) {
      const files = byRuleId.get(ref.id) ?? [];
      if (!files.includes(file)) files.push(file);
      byRuleId.set(ref.id, files);
    }
  };
  for (const [file, entry] of infos) index(file, entry);

  for (const rule of sigmaRules) {
    const files = new Set(byRuleId.get(rule.id) ?? []);
    const named = (rule.raw as Record<string, unknown> | null)?.regression_tests_path;
    if (typeof named === 'string' && named.trim()) {
      const file = toPosixRelative(root, resolveContentPath(root, named.trim()));
      const entry = load(file);
      const pos = rule.source.positions.get('regression_tests_path');
      if (!entry) {
        diagnostics.push({
          ...errorAt(rule.source.file, pos, 'sigma-regression/missing-info', `regression_tests_path "${named}" does not exist; the rule's regression tests never run`, 'The path is relative to the repository root, e.g. regression_data/rules/windows/<folder>/<rule name>/info.yml.'),
          severity: 'warning',
        });
      } else if (entry.parse.info && !entry.parse.info.rules.some((r) => r.id === rule.id)) {
        // SigmaHQ's runner refuses this too: an info.yml describes the rule its rule_metadata names.
        const other = entry.parse.info.rules.map((r) => r.id).join(', ') || 'no rule';
        diagnostics.push(errorAt(rule.source.file, pos, 'sigma-regression/id-mismatch', `regression_tests_path points at ${file}, which is for ${other}, not this rule (${rule.id})`, `Set rule_metadata[0].id in ${file} to ${rule.id}, or point regression_tests_path at this rule's own info.yml.`));
        failed.add(rule.source.file);
      } else {
        files.add(file);
      }
    }
    for (const file of [...files].sort()) {
      const entry = infos.get(file);
      if (!entry?.parse.info) continue;
      entry.attached = true;
      const { tests, diagnostics: caseProblems } = regressionTestCases(entry.parse.info, root);
      rule.tests.push(...tests);
      for (const d of caseProblems) {
        diagnostics.push(d);
        if (d.severity === 'error') failed.add(d.file);
      }
    }
  }
  // Parse and schema problems are reported once per file, for the files that concern the rules loaded.
  for (const [file, entry] of infos) {
    if (!entry.parse.diagnostics.length) continue;
    const concernsLoadedRule = entry.attached || !entry.parse.info;
    if (!concernsLoadedRule) continue;
    diagnostics.push(...entry.parse.diagnostics);
    if (entry.parse.diagnostics.some((d) => d.severity === 'error')) failed.add(file);
  }
  return { diagnostics, failedFiles: [...failed].sort() };
}
