/**
 * scripts/measure-sigmahq-regression.mjs over a small SigmaHQ-shaped git repository built from the fixture:
 * a passing quiet case, a failing counted case, and an info.yml whose rule carries no regression_tests_path
 * (so the script, like SigmaHQ's runner, never loads it: its cases are reported as not run).
 */
import { execFileSync } from 'node:child_process';
import { copyFileSync, cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import t from 'tap';

const here = path.dirname(fileURLToPath(import.meta.url));
const repoRoot = path.resolve(here, '../..');
const FIXTURE = path.join(repoRoot, 'test/fixtures/sigma-regression/repo');
const WMI_DIR = 'regression_data/rules/windows/process_creation/proc_creation_win_fixture_wmi_child';

t.test('the measurement script counts passed, failed and not-run cases of a bare git checkout', async (t) => {
  const work = mkdtempSync(path.join(os.tmpdir(), 'ruleproof-measure-regression-'));
  t.teardown(() => rmSync(work, { recursive: true, force: true }));
  const checkout = path.join(work, 'sigma');
  cpSync(FIXTURE, checkout, { recursive: true });
  // SigmaHQ keeps each capture beside its info.yml, named after the rule id, with a root-relative path.
  const infoFile = path.join(checkout, WMI_DIR, 'info.yml');
  copyFileSync(path.join(repoRoot, 'datasets/evtx-attack-samples/lateral_movement/LM_wmiexec_impacket_sysmon_whoami.evtx'), path.join(checkout, WMI_DIR, 'wmi.evtx'));
  copyFileSync(path.join(repoRoot, 'datasets/evtx-attack-samples/lateral_movement/LM_PowershellRemoting_sysmon_1_wsmprovhost.evtx'), path.join(checkout, WMI_DIR, 'psremoting.evtx'));
  writeFileSync(
    infoFile,
    readFileSync(infoFile, 'utf8')
      .replace('match_count: 3', 'match_count: 4')
      .replace(/path: .*LM_wmiexec_impacket_sysmon_whoami\.evtx/, `path: ${WMI_DIR}/wmi.evtx`)
      .replace(/path: .*LM_PowershellRemoting_sysmon_1_wsmprovhost\.evtx/, `path: ${WMI_DIR}/psremoting.evtx`),
  );
  const git = (...args: string[]) => execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@example.com', '-c', 'init.defaultBranch=main', ...args], { cwd: checkout, stdio: 'pipe' });
  git('init', '-q');
  git('add', '.');
  git('commit', '-q', '-m', 'fixture');
  const bare = path.join(work, 'sigma.git');
  execFileSync('git', ['clone', '-q', '--bare', checkout, bare], { stdio: 'pipe' });

  const jsonOut = path.join(work, 'out.json');
  const stdout = execFileSync(process.execPath, [path.join(repoRoot, 'scripts/measure-sigmahq-regression.mjs'), bare, '--json', jsonOut], {
    env: {
      ...process.env,
      RULEPROOF_LIB: 'src',
      NODE_OPTIONS: `--import=${pathToFileURL(path.join(repoRoot, 'node_modules/@tapjs/typescript/dist/esm/import.mjs')).href}`,
    },
    stdio: 'pipe',
  }).toString();
  const lines = stdout.trim().split('\n');
  const totals = JSON.parse(lines[lines.length - 1] ?? '{}') as Record<string, unknown>;
  t.match(totals, { cases: 4, pass: 1, fail: 1, unsupported: 0, error: 0, 'not-run': 2, exactMatchCount: 1 });
  t.match(stdout, /^fail +rules\/proc_creation_win_fixture_wmi_child\.yml +expected 4, got 3/m);
  t.match(stdout, /^not-run +regression_data\/rules\/windows\/process_creation\/proc_creation_win_fixture_whoami\/info\.yml/m);

  const report = JSON.parse(readFileSync(jsonOut, 'utf8')) as { cases: { name: string; status: string; expected?: number; got: number }[] };
  t.same(
    report.cases.filter((c) => c.name).map((c) => [c.name, c.status, c.expected, c.got]),
    [
      ['Positive Detection Test', 'fail', 4, 3],
      ['PowerShell remoting starts no process under WmiPrvSE', 'pass', 0, 0],
    ],
  );
});
