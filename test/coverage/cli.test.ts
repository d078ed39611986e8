/** `ruleproof coverage` and the coverage files `ruleproof check` (npm start) writes, in a scratch repository. */
import t from 'tap';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { main, type CliIO } from '../../src/cli/main.js';
import { FIXTURE_RULES, repoRoot } from './helpers.js';

async function ruleproof(cwd: string, ...args: string[]) {
  let stdout = '';
  let stderr = '';
  const io: CliIO = { stdout: (s) => void (stdout += s), stderr: (s) => void (stderr += s), cwd, isTTY: false, env: { NO_COLOR: '1' } };
  const code = await main(['node', 'ruleproof', ...args], io);
  return { code, stdout, stderr };
}

/**
 * The coverage fixture rules as `detections/` and the bundled datasets copied in: a symlink would point
 * out of the scratch repository, and dataset paths that leave the repository are refused.
 */
function scratch(t: { teardown(fn: () => void): void }): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'ruleproof-coverage-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(path.join(dir, 'ruleproof.config.yml'), 'rules: [detections]\ndatasets: [datasets]\n');
  mkdirSync(path.join(dir, 'detections'));
  cpSync(path.join(repoRoot, FIXTURE_RULES), path.join(dir, 'detections'), { recursive: true });
  cpSync(path.join(repoRoot, 'datasets'), path.join(dir, 'datasets'), { recursive: true });
  return dir;
}

t.test('coverage --out writes the four formats; the exit code carries the failing test', async (t) => {
  const dir = scratch(t);
  const run = await ruleproof(dir, 'coverage', '--out', 'cov');
  t.equal(run.code, 1, run.stderr);
  for (const f of ['attack-navigator-layer.json', 'coverage.html', 'coverage.md', 'coverage.json']) {
    t.ok(existsSync(path.join(dir, 'cov', f)), f);
    t.match(run.stderr, `wrote ${path.join('cov', f)}`);
  }
  const json = JSON.parse(readFileSync(path.join(dir, 'cov', 'coverage.json'), 'utf8'));
  t.equal(json.command, 'coverage');
  t.equal(json.summary.rulesFailing, 1);
  const layer = JSON.parse(readFileSync(path.join(dir, 'cov', 'attack-navigator-layer.json'), 'utf8'));
  t.equal(layer.versions.layer, '4.5');
  t.match(readFileSync(path.join(dir, 'cov', 'coverage.md'), 'utf8'), /^## ATT&CK coverage/);
  t.match(readFileSync(path.join(dir, 'cov', 'coverage.html'), 'utf8'), /^<!DOCTYPE html>/);
});

t.test('coverage --format prints one format; --report reuses a test report without replaying', async (t) => {
  const dir = scratch(t);
  const testRun = await ruleproof(dir, 'test', '--json', 'test-report.json');
  t.equal(testRun.code, 1);
  const direct = await ruleproof(dir, 'coverage', '--format', 'json');
  const fromReport = await ruleproof(dir, 'coverage', '--format', 'json', '--report', 'test-report.json');
  t.equal(fromReport.code, 1);
  t.same(JSON.parse(fromReport.stdout).techniques, JSON.parse(direct.stdout).techniques, 'same coverage either way');
  const nav = await ruleproof(dir, 'coverage', '--format', 'navigator', '--report', 'test-report.json');
  t.equal(JSON.parse(nav.stdout).domain, 'enterprise-attack');
  const md = await ruleproof(dir, 'coverage');
  t.match(md.stdout, /^## ATT&CK coverage/, 'Markdown by default');
});

t.test('coverage --report with a bad file is a clear usage error', async (t) => {
  const dir = scratch(t);
  const missing = await ruleproof(dir, 'coverage', '--report', 'nope.json');
  t.equal(missing.code, 2);
  t.match(missing.stderr, /report file nope\.json does not exist/);
  writeFileSync(path.join(dir, 'lint.json'), JSON.stringify({ command: 'lint', schemaVersion: 1 }));
  const wrong = await ruleproof(dir, 'coverage', '--report', 'lint.json');
  t.equal(wrong.code, 2);
  t.match(wrong.stderr, /not a ruleproof test or check report/);
  const bad = await ruleproof(dir, 'coverage', '--format', 'pdf');
  t.equal(bad.code, 2);
});

t.test('check (what npm start runs) writes the Navigator layer and the HTML page into reports/', async (t) => {
  const dir = scratch(t);
  const run = await ruleproof(dir, 'check');
  t.equal(run.code, 1, 'the failing fixture test fails the gate');
  t.match(run.stdout, 'coverage written to reports/attack-navigator-layer.json and reports/coverage.html');
  const layer = JSON.parse(readFileSync(path.join(dir, 'reports', 'attack-navigator-layer.json'), 'utf8'));
  t.ok(layer.techniques.some((x: { techniqueID: string; score?: number }) => x.techniqueID === 'T1047' && x.score === 100));
  t.match(readFileSync(path.join(dir, 'reports', 'coverage.html'), 'utf8'), /Coverage Fixture WMI Child/);
});
