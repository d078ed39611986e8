/**
 * SARIF 2.1.0: every rendering validates against the OASIS schema (test/fixtures/sarif), results sit at
 * the right places with the right levels, and fingerprints are stable when lines move.
 */
import t from 'tap';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { renderSarif, FINGERPRINT_KEY, encodeUriPath } from '../../src/report/sarif.js';
import { reportFindings } from '../../src/report/sarif-findings.js';
import { main, type CliIO } from '../../src/cli/main.js';
import { sampleCheckReport, sampleLintReport, sampleTestReport } from './fixtures.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const repoRoot = path.resolve(here, '../..');

function sarifValidator() {
  const schema = JSON.parse(readFileSync(path.join(repoRoot, 'test/fixtures/sarif/sarif-schema-2.1.0.json'), 'utf8'));
  // The OASIS file is draft-04: its `id` is draft-07's `$id`; nothing else differs for Ajv.
  const { $schema: _ignored, id, ...rest } = schema;
  const ajv = new Ajv({ strict: false, allErrors: true });
  const addFormats = (addFormatsModule as unknown as { default?: typeof addFormatsModule }).default ?? addFormatsModule;
  (addFormats as unknown as (a: Ajv) => void)(ajv);
  return ajv.compile({ $id: id, ...rest });
}
const validate = sarifValidator();

function valid(t: Tap.Test, log: unknown, what: string) {
  const ok = validate(log);
  t.ok(ok, `${what} validates against the SARIF 2.1.0 schema`);
  if (!ok) t.comment(JSON.stringify(validate.errors?.slice(0, 5), null, 2));
}

t.test('the schema validator rejects what is not SARIF', async (t) => {
  t.notOk(validate({ version: '2.1.0', runs: [{ tool: { driver: { name: 'x' } }, results: [{ message: { text: 'a' }, level: 'fatal' }] }] }));
  t.notOk(validate({ version: '2.0.0', runs: [] }));
});

t.test('test report: failures, errors and dataset warnings as results', async (t) => {
  const log = renderSarif(sampleTestReport());
  valid(t, log, 'test report');
  const run = log.runs[0]!;
  t.equal(run.tool.driver.name, 'ruleproof');
  t.equal(run.automationDetails.id, 'ruleproof/test/');
  const byRule = (id: string) => run.results.filter((r) => r.ruleId === id);
  const fail = byRule('test/fail');
  t.equal(fail.length, 1, 'one failing test');
  t.same(fail[0]!.locations[0]!.physicalLocation, {
    artifactLocation: { uri: 'detections/bravo.tests.yml', uriBaseId: '%SRCROOT%' },
    region: { startLine: 7, startColumn: 5 },
  });
  t.equal(fail[0]!.level, 'error');
  t.match(fail[0]!.message.text, /expected an alert, got none/);
  t.match(fail[0]!.message.text, /nearest event record:42/, 'the explanation is in the message');
  t.match(fail[0]!.properties, { ruleId: 'bbbbbbbb-0000-0000-0000-000000000002', ruleVersion: 3, dataset: 'datasets/otrf/empire.json' });
  t.equal(byRule('replay/unsupported').length, 1, 'the unsupported rule is reported once, at its query');
  t.equal(byRule('test/unsupported').length, 0, 'not again for each of its tests');
  t.equal(byRule('dataset/missing').length, 1);
  t.equal(byRule('test/error').length, 0, 'a missing dataset is reported once');
  const warn = byRule('dataset/malformed-line')[0]!;
  t.equal(warn.level, 'warning');
  // Every ruleIndex points at its descriptor.
  for (const r of run.results) t.equal(run.tool.driver.rules[r.ruleIndex]!.id, r.ruleId);
  t.same(run.tool.driver.rules.map((r) => r.id), [...run.tool.driver.rules.map((r) => r.id)].sort(), 'rules sorted by id');
  t.equal(run.invocations[0]!.exitCode, 2);
  t.equal(run.invocations[0]!.executionSuccessful, false);
});

t.test('lint report: rule metadata from the checks, levels, whole-file findings, escaped URIs', async (t) => {
  const log = renderSarif(sampleLintReport());
  valid(t, log, 'lint report');
  const run = log.runs[0]!;
  const levels = run.results.map((r) => `${r.ruleId}:${r.level}`);
  t.same(levels.slice(0, 2), ['attack/name-mismatch:error', 'attack/name-mismatch:error'], 'errors first');
  t.ok(levels.includes('metadata/references:note'), 'info is a note');
  const whole = run.results.find((r) => r.ruleId === 'tests/present')!;
  t.notOk(whole.locations[0]!.physicalLocation.region, 'a whole-file finding has no region');
  const spaced = run.results.find((r) => r.ruleId === 'metadata/dates')!;
  t.equal(spaced.locations[0]!.physicalLocation.artifactLocation.uri, 'detections/dir%20with%20space/b%231.toml');
  t.equal(encodeUriPath('a\\b c/d%e.yml'), 'a/b%20c/d%25e.yml');
  const name = run.tool.driver.rules.find((r) => r.id === 'attack/name-mismatch');
  t.ok(name, 'descriptor for a lint check');
  t.equal(name!.name, 'AttackNameMismatch');
  t.match(name!.properties.tags, ['ruleproof', 'lint', 'attack']);
});

t.test('fingerprints: unique, stable across runs, independent of line numbers', async (t) => {
  const a = renderSarif(sampleLintReport()).runs[0]!.results.map((r) => r.partialFingerprints[FINGERPRINT_KEY]);
  t.equal(new Set(a).size, a.length, 'unique, even for two equal findings at one place');
  t.same(renderSarif(sampleLintReport()).runs[0]!.results.map((r) => r.partialFingerprints[FINGERPRINT_KEY]), a, 'same input, same fingerprints');
  const moved = sampleLintReport();
  for (const d of moved.diagnostics) if (d.line) d.line += 10;
  const b = renderSarif(moved).runs[0]!.results.map((r) => r.partialFingerprints[FINGERPRINT_KEY]);
  t.same(new Set(b), new Set(a), 'moving every finding ten lines down keeps the fingerprints');

  const tr = sampleTestReport();
  const fp = (r: typeof tr) => renderSarif(r).runs[0]!.results.find((x) => x.ruleId === 'test/fail')!.partialFingerprints[FINGERPRINT_KEY];
  const before = fp(tr);
  tr.rules[1]!.tests[0]!.location.line = 99;
  tr.rules[1]!.tests[0]!.message = 'expected 2 alerts, got 1';
  t.equal(fp(tr), before, 'a failing test keeps its fingerprint when its line and verdict change');
  tr.rules[1]!.tests[0]!.name = 'renamed';
  t.not(fp(tr), before, 'a different test is a different alert');
});

t.test('check report: lint and test findings in one run, shared diagnostics once', async (t) => {
  const check = sampleCheckReport();
  // Load diagnostics appear in both halves of a check report.
  const shared = { file: 'detections/x.toml', line: 1, column: 1, severity: 'error' as const, code: 'load/toml-syntax', message: 'bad TOML' };
  check.lint.diagnostics.push(shared);
  check.test.diagnostics.push(shared);
  const log = renderSarif(check);
  valid(t, log, 'check report');
  const run = log.runs[0]!;
  t.equal(run.results.filter((r) => r.ruleId === 'load/toml-syntax').length, 1);
  t.equal(run.results.length, reportFindings(check).length);
  t.equal(run.automationDetails.id, 'ruleproof/check/');
});

async function cli(...args: string[]) {
  let stdout = '';
  let stderr = '';
  const io: CliIO = { stdout: (s) => void (stdout += s), stderr: (s) => void (stderr += s), cwd: repoRoot, isTTY: false, env: { NO_COLOR: '1' } };
  const code = await main(['node', 'ruleproof', ...args], io);
  return { code, stdout, stderr };
}

t.test('the bundled content renders valid SARIF from a real report', async (t) => {
  const run = await cli('test', '--format', 'json');
  t.equal(run.code, 0, run.stderr);
  const log = renderSarif(JSON.parse(run.stdout));
  valid(t, log, 'bundled test report');
  t.equal(log.runs[0]!.results.filter((r) => r.level === 'error').length, 0, 'the bundled content has no failing tests');
});
