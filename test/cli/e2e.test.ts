/**
 * End to end: the CLI in-process over the bundled content, and over scratch copies of it with one
 * thing broken at a time. Each bad input must give a located, actionable message, the rest of the
 * run must go on, and the exit code must say what happened (DESIGN.md: 2 load, 1 failures, 0 ok).
 */
import t from 'tap';
import { cpSync, mkdtempSync, readFileSync, writeFileSync, rmSync, mkdirSync, appendFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { main, type CliIO } from '../../src/cli/main.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

async function ruleproof(cwd: string, ...args: string[]): Promise<Run> {
  let stdout = '';
  let stderr = '';
  const io: CliIO = {
    stdout: (s) => void (stdout += s),
    stderr: (s) => void (stderr += s),
    cwd,
    isTTY: false,
    env: { NO_COLOR: '1' },
  };
  const code = await main(['node', 'ruleproof', ...args], io);
  return { code, stdout, stderr };
}

const PSR_DATASET = 'datasets/otrf-security-datasets/empire_psremoting_stager_2020-09-20170827.json';
const WMI_DATASET = 'datasets/otrf-security-datasets/empire_wmi_dcerpc_wmi_IWbemServices_ExecMethod_2020-09-21001437.json';

/**
 * A scratch repository: a config file, the given rule files (repo-relative) and every dataset they
 * need, so tests can break one thing without touching the real content.
 */
function scratchRepo(t: { teardown(fn: () => void): void }, files: string[]): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'ruleproof-e2e-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(path.join(dir, 'ruleproof.config.yml'), 'rules: [detections]\ndatasets: [datasets]\n');
  for (const f of [...files, 'datasets']) {
    mkdirSync(path.dirname(path.join(dir, f)), { recursive: true });
    cpSync(path.join(repoRoot, f), path.join(dir, f), { recursive: true });
  }
  return dir;
}

t.test('check on the bundled content passes and shows the version differences', async (t) => {
  const run = await ruleproof(repoRoot, 'check', '--format', 'json');
  t.equal(run.code, 0, run.stderr + run.stdout.slice(0, 4000));
  const report = JSON.parse(run.stdout);
  t.equal(report.command, 'check');
  t.equal(report.lint.summary.errors, 0, 'no lint errors on bundled rules');
  t.equal(report.test.summary.failed, 0);
  t.equal(report.test.summary.errors, 0);
  t.equal(report.test.summary.unsupported, 0);
  t.ok(report.test.summary.tests >= 20, 'every version carries its tests');
  const byVersion = new Map<string, any>(report.test.rules.map((r: any) => [`${r.id}@${r.version}`, r]));
  const psr = '2772264c-6fb9-4d9d-9014-b416eed21254';
  const wmi = 'f3475224-b179-4f78-8877-c2bd64c26b88';
  for (const key of [`${psr}@215`, `${psr}@107`, `${psr}@102`, `${wmi}@218`, `${wmi}@100`]) {
    t.equal(byVersion.get(key)?.status, 'pass', `${key} passes`);
  }
  const stager = (v: number) => byVersion.get(`${psr}@${v}`).tests.find((x: any) => x.dataset === PSR_DATASET);
  t.equal(stager(215).expect, 'fire');
  t.equal(stager(215).alertCount, 1, 'the current PS remoting rule fires once on the Empire stager');
  t.equal(stager(107).expect, 'quiet');
  t.equal(stager(107).alertCount, 0, 'version 107 cannot fire on Sysmon data (network.protocol == "http")');
  t.equal(stager(102).alertCount, 0);
  const wmiFire = byVersion.get(`${wmi}@100`).tests.find((x: any) => x.dataset === WMI_DATASET);
  t.equal(wmiFire.alertCount, 1);

  const console = await ruleproof(repoRoot, 'check');
  t.equal(console.code, 0);
  t.match(console.stdout, /Incoming Execution via PowerShell Remoting/);
  t.match(console.stdout, /102/);
  t.match(console.stdout, /107/);
  t.match(console.stdout, /215/);
  t.notMatch(console.stdout, /\u001b\[/, 'no colour when not on a TTY');
});

t.test('a malformed YAML rule is a located load error; the other rules still run', async (t) => {
  const dir = scratchRepo(t, ['detections']);
  writeFileSync(path.join(dir, 'detections/broken.yml'), 'id: x\nname: [unclosed\nversion: 1\n');
  const run = await ruleproof(dir, 'test', '--format', 'json');
  t.equal(run.code, 2);
  const report = JSON.parse(run.stdout);
  const err = report.diagnostics.find((d: any) => d.file === 'detections/broken.yml');
  t.ok(err, 'the broken file is reported');
  t.equal(err.severity, 'error');
  t.ok(err.line >= 2, 'with the line of the problem');
  t.ok(report.summary.passed > 0, 'the other rules still ran');
  t.equal(report.summary.failed, 0);
});

t.test('a malformed TOML rule is a located load error', async (t) => {
  const dir = scratchRepo(t, ['detections']);
  writeFileSync(path.join(dir, 'detections/broken.toml'), '[metadata]\ncreation_date = "2020/01/01"\n[rule\nname = "x"\n');
  const run = await ruleproof(dir, 'lint', '--format', 'json');
  t.equal(run.code, 2);
  const err = JSON.parse(run.stdout).diagnostics.find((d: any) => d.file === 'detections/broken.toml');
  t.equal(err.line, 3, 'at the unclosed table header');
  t.equal(err.severity, 'error');
  t.match(err.message, /TOML/);
});

t.test('an unknown key in a native rule is an error at its line', async (t) => {
  const dir = scratchRepo(t, ['detections']);
  const file = path.join(dir, 'detections/history/wmi_incoming_lateral_movement_v100.yml');
  const text = readFileSync(file, 'utf8').replace('severity: medium\n', 'severity: medium\nseverty: high\n');
  writeFileSync(file, text);
  const line = text.split('\n').findIndex((l) => l.startsWith('severty:')) + 1;
  const run = await ruleproof(dir, 'lint', '--format', 'json');
  t.equal(run.code, 2);
  const report = JSON.parse(run.stdout);
  const err = report.diagnostics.find((d: any) => /severty/.test(d.message));
  t.ok(err, 'the unknown key is named');
  t.equal(err.file, 'detections/history/wmi_incoming_lateral_movement_v100.yml');
  t.equal(err.line, line);
});

t.test('a missing dataset is a load error (exit 2) naming the test and the path', async (t) => {
  const dir = scratchRepo(t, ['detections']);
  rmSync(path.join(dir, PSR_DATASET));
  const run = await ruleproof(dir, 'test', '--format', 'json');
  t.equal(run.code, 2);
  const report = JSON.parse(run.stdout);
  const missing = report.diagnostics.filter((d: any) => d.code === 'dataset/missing');
  t.ok(missing.length >= 1);
  t.match(missing[0].message, /empire_psremoting_stager/);
  t.ok(report.summary.passed > 0, 'tests on other datasets still ran');
});

t.test('a malformed JSON line in a dataset is a warning with file and line, counted in the report', async (t) => {
  const dir = scratchRepo(t, ['detections']);
  const file = path.join(dir, WMI_DATASET);
  const lines = readFileSync(file, 'utf8').split('\n').filter((l) => l.length).length;
  appendFileSync(file, '{"EventID": 1, "broken\n');
  const run = await ruleproof(dir, 'test', '--format', 'json');
  t.equal(run.code, 0, 'a malformed line is a warning, not a failure');
  const report = JSON.parse(run.stdout);
  const warning = report.diagnostics.find((d: any) => d.file === WMI_DATASET && d.severity === 'warning');
  t.ok(warning, 'the malformed line is reported');
  t.equal(warning.line, lines + 1);
  t.ok(report.summary.datasetWarnings >= 1);

  const strict = await ruleproof(dir, 'test', '--format', 'json', '--strict');
  t.equal(strict.code, 1, '--strict turns it into a failure');
});

t.test('removing the Nessus and SCCM exclusions of v100 makes its false-positive tests fail', async (t) => {
  const dir = scratchRepo(t, ['detections']);
  const file = path.join(dir, 'detections/history/wmi_incoming_lateral_movement_v100.yml');
  const text = readFileSync(file, 'utf8');
  const withoutExclusions = text.replace(/ and\n\s+not process\.args : \([^)]*\)/, '');
  t.not(withoutExclusions, text, 'the exclusion clause was removed');
  writeFileSync(file, withoutExclusions);
  const run = await ruleproof(dir, 'test', '--format', 'json', '--rule', 'f3475224-b179-4f78-8877-c2bd64c26b88');
  t.equal(run.code, 1);
  const report = JSON.parse(run.stdout);
  const v100 = report.rules.find((r: any) => r.version === 100);
  const failed = v100.tests.filter((x: any) => x.status === 'fail').map((x: any) => x.dataset).sort();
  t.same(failed, ['datasets/synthetic/nessus_wmi_scan.xml', 'datasets/synthetic/sccm_wmi_client_actions.xml']);
  const nessus = v100.tests.find((x: any) => x.dataset === 'datasets/synthetic/nessus_wmi_scan.xml');
  t.ok(nessus.alertCount > 0);
  t.ok(nessus.explanation?.alerts?.length, 'the unexpected alerts are shown');
});

t.test('an EQL field unknown to the field view is a lint warning at its line', async (t) => {
  const dir = scratchRepo(t, ['detections']);
  const file = path.join(dir, 'detections/history/wmi_incoming_lateral_movement_v100.yml');
  const text = readFileSync(file, 'utf8').replace('process.parent.name : "WmiPrvSE.exe"', 'process.parnet.name : "WmiPrvSE.exe"');
  writeFileSync(file, text);
  const line = text.split('\n').findIndex((l) => l.includes('process.parnet.name')) + 1;
  const run = await ruleproof(dir, 'lint', '--format', 'json');
  const report = JSON.parse(run.stdout);
  const warning = report.diagnostics.find((d: any) => /process\.parnet\.name/.test(d.message));
  t.ok(warning, 'the unknown field is reported');
  t.equal(warning.severity, 'warning');
  t.equal(warning.line, line);
});

t.test('usage errors exit 2', async (t) => {
  const run = await ruleproof(repoRoot, 'test', '--format', 'xml');
  t.equal(run.code, 2);
  t.match(run.stderr, /xml/);
});

t.test('a detection that stops firing is explained clause by clause on the nearest event', async (t) => {
  const dir = scratchRepo(t, ['detections']);
  const file = path.join(dir, 'detections/history/wmi_incoming_lateral_movement_v100.yml');
  writeFileSync(file, readFileSync(file, 'utf8').replace('process.parent.name : "WmiPrvSE.exe"', 'process.parent.name : "WmiPrvSE2.exe"'));
  const run = await ruleproof(dir, 'test', '--format', 'json', '--rule', 'f3475224-b179-4f78-8877-c2bd64c26b88', '--dataset', 'empire_wmi');
  t.equal(run.code, 1);
  const report = JSON.parse(run.stdout);
  const test = report.rules.find((r: any) => r.version === 100).tests[0];
  t.equal(test.status, 'fail');
  t.equal(test.alertCount, 0);
  const stage2 = test.explanation.stages.find((s: any) => s.stage === 1);
  t.equal(stage2.matchedEvents, 0, 'the process stage matched nothing');
  const failed = stage2.nearest.explanation.clauses.filter((c: any) => !c.matched).map((c: any) => c.text);
  t.ok(failed.some((c: string) => c.includes('WmiPrvSE2.exe')), 'the clause that failed is quoted as written');
  const seen = stage2.nearest.explanation.clauses.find((c: any) => c.text.includes('WmiPrvSE2.exe')).values['process.parent.name'];
  t.type(seen, 'string', 'with the value it saw');
  t.equal(stage2.nearest.event.fields['process.parent.name'], seen, 'the value is the nearest event\'s own');
  t.match(test.explanation.summary, /stage 2 matched no event; the nearest candidate .* failed `process\.parent\.name : "WmiPrvSE2\.exe"`/);

  const console = await ruleproof(dir, 'test', '--rule', 'f3475224-b179-4f78-8877-c2bd64c26b88', '--dataset', 'empire_wmi');
  t.match(console.stdout, /WmiPrvSE2\.exe/);
});

t.test('a --rule or --dataset filter that selects nothing is a usage error, not a green run', async (t) => {
  const none = await ruleproof(repoRoot, 'test', '--rule', 'no-such-rule');
  t.equal(none.code, 2);
  t.match(none.stderr, /no rule matches --rule no-such-rule/);
  const noData = await ruleproof(repoRoot, 'test', '--dataset', 'no-such-dataset');
  t.equal(noData.code, 2);
  t.match(noData.stderr, /no test replays a dataset/);
  const prefix = await ruleproof(repoRoot, 'test', '--format', 'json', '--rule', 'f3475224', '--dataset', 'sccm');
  t.equal(prefix.code, 0);
  t.same(JSON.parse(prefix.stdout).rules.map((r: any) => r.version).sort(), [100, 218], 'an id prefix selects every version');
});

t.test('datasets and events commands describe and print what a rule sees', async (t) => {
  const ds = await ruleproof(repoRoot, 'datasets', 'datasets/synthetic', '--format', 'json');
  t.equal(ds.code, 0);
  const report = JSON.parse(ds.stdout);
  const files = report.datasets.map((d: any) => d.file);
  t.same(files, [...files].sort(), 'sorted by path');
  t.ok(files.includes('datasets/synthetic/sccm_wmi_client_actions.xml'));
  t.notOk(files.some((f: string) => f.endsWith('.meta.yml') || f.endsWith('.md')), 'descriptors and READMEs are not datasets');
  const nessus = report.datasets.find((d: any) => d.file === 'datasets/synthetic/nessus_wmi_scan.xml');
  t.equal(nessus.format, 'sysmon-xml');
  t.equal(nessus.events, 6);
  t.equal(nessus.descriptor.synthetic, true);
  t.same(nessus.eventIds.map((e: any) => e.id), ['1', '3', '5']);

  const events = await ruleproof(repoRoot, 'events', 'datasets/synthetic/nessus_wmi_scan.xml');
  t.equal(events.code, 0);
  const docs = events.stdout.trim().split('\n').map((l) => JSON.parse(l));
  t.equal(docs.length, 6);
  const stamps = docs.map((d) => d['@timestamp']);
  t.same([...stamps].sort(), stamps, 'in time order');
  t.ok(docs.every((d) => d.host?.os?.type === 'windows' && d.winlog?.channel === 'Microsoft-Windows-Sysmon/Operational'));

  const raw = await ruleproof(repoRoot, 'events', '--raw', 'datasets/synthetic/nessus_wmi_scan.xml');
  const first = JSON.parse(raw.stdout.split('\n')[0] as string);
  t.equal(first.record.provider, 'Microsoft-Windows-Sysmon');
  t.type(first.record.eventData.Image, 'string', 'raw EventData before normalization');

  const missing = await ruleproof(repoRoot, 'events', 'datasets/nope.json');
  t.equal(missing.code, 2);
  t.match(missing.stderr, /dataset not found: datasets\/nope\.json/);
});

t.test('a rule the engine cannot run is reported as unsupported, never as passing', async (t) => {
  const dir = scratchRepo(t, ['detections']);
  const v100 = readFileSync(path.join(dir, 'detections/history/wmi_incoming_lateral_movement_v100.yml'), 'utf8');
  const esql = v100
    .replace(/^id: .*$/m, 'id: 0b7d3c1e-5a2f-4c8e-9d61-2f4e8a9b7c10')
    .replace(/^name: .*$/m, 'name: ES|QL port of the WMI rule')
    .replace(/^status: history$/m, 'status: production')
    .replace(/  language: eql/, '  language: esql')
    .replace(/  text: \|\n(    .*\n|\n)+/, '  text: |\n    FROM logs-* | WHERE process.parent.name == "WmiPrvSE.exe"\n');
  writeFileSync(path.join(dir, 'detections/esql_wmi.yml'), esql);
  const run = await ruleproof(dir, 'test', '--format', 'json');
  t.equal(run.code, 1, 'exit 1: a rule that cannot run fails the gate');
  const report = JSON.parse(run.stdout);
  const rule = report.rules.find((r: any) => r.file === 'detections/esql_wmi.yml');
  t.equal(rule.status, 'unsupported');
  t.match(rule.problem.message, /esql/);
  t.ok(rule.tests.length > 0 && rule.tests.every((x: any) => x.status === 'unsupported'), 'each of its tests says so');
  t.equal(report.summary.passed + report.summary.unsupported, report.summary.tests, 'the other rules still pass');
  t.ok(report.summary.unsupported >= rule.tests.length);

  const text = await ruleproof(dir, 'test', '--rule', 'ES|QL port');
  t.match(text.stdout, /unsupported/i);
});

t.test('query prints matching events, or one line per sequence with its events in order', async (t) => {
  const data = 'datasets/otrf-security-datasets/covenant_psremoting_grunt_2019-12-05014931.json';
  const events = await ruleproof(repoRoot, 'query', '-l', 'eql', 'process where process.parent.name : "wsmprovhost.exe"', data);
  t.equal(events.code, 0);
  const docs = events.stdout.trim().split('\n').map((l) => JSON.parse(l));
  t.ok(docs.length >= 1);
  t.ok(docs.every((d) => d.process.parent.name.toLowerCase() === 'wsmprovhost.exe'));
  // Another language is loaded for the query (the command loads only the one it is given).
  const kql = await ruleproof(repoRoot, 'query', '-l', 'kql', 'event.category : "process" and process.parent.name : "wsmprovhost.exe"', data);
  t.equal(kql.code, 0);
  t.same(kql.stdout.trim().split('\n').map((l) => JSON.parse(l)), docs, 'the same events in KQL');

  const seq = await ruleproof(
    repoRoot,
    'query',
    '-l',
    'eql',
    'sequence by host.id with maxspan=5s [network where destination.port == 5985 and network.direction == "ingress"] [process where process.parent.name : "wsmprovhost.exe"]',
    data,
  );
  t.equal(seq.code, 0);
  const lines = seq.stdout.trim().split('\n').map((l) => JSON.parse(l));
  t.equal(lines.length, 1);
  t.same(lines[0].join_keys, ['hr001']);
  t.equal(lines[0].events.length, 2);
  t.equal(lines[0].events[0].destination.port, 5985);
  t.ok(lines[0].events[0]['@timestamp'] <= lines[0].events[1]['@timestamp'], 'events in order');

  const bad = await ruleproof(repoRoot, 'query', '-l', 'eql', 'process where process.name = = "x"', data);
  t.equal(bad.code, 2);
  t.match(bad.stderr, /query:1:28: syntax error/);
});

t.test('in GitHub Actions, regress appends its diff to the job summary', async (t) => {
  const dir = mkdtempSync(path.join(tmpdir(), 'ruleproof-summary-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const summary = path.join(dir, 'summary.md');
  writeFileSync(summary, '');
  let stdout = '';
  const io: CliIO = {
    stdout: (s) => void (stdout += s),
    stderr: () => {},
    cwd: repoRoot,
    isTTY: false,
    env: { NO_COLOR: '1', GITHUB_ACTIONS: 'true', GITHUB_STEP_SUMMARY: summary },
  };
  const args = ['regress', '--from', 'detections/history/incoming_execution_via_powershell_remoting_v107.yml', '--to', 'detections/lateral_movement_powershell_remoting_target.toml'];
  const code = await main(['node', 'ruleproof', ...args], io);
  t.equal(code, 0, stdout);
  const md = readFileSync(summary, 'utf8');
  t.match(md, /Incoming Execution via PowerShell Remoting/);
  t.match(md, /107/);
  t.match(md, /215/);
  t.match(md, /empire_psremoting_stager/, 'the datasets whose alerts changed are named');

  writeFileSync(summary, '');
  await main(['node', 'ruleproof', ...args], { ...io, env: { ...io.env, RULEPROOF_GITHUB: 'off' } });
  t.equal(readFileSync(summary, 'utf8'), '', 'RULEPROOF_GITHUB=off keeps the summary untouched');
});

t.test('events --raw names the zip member each record came from', async (t) => {
  const { buildZip } = await import('../events/zip-writer.js');
  const dir = mkdtempSync(path.join(tmpdir(), 'ruleproof-zip-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const xml = readFileSync(path.join(repoRoot, 'datasets/synthetic/nessus_wmi_scan.xml'));
  writeFileSync(path.join(dir, 'ruleproof.config.yml'), '');
  writeFileSync(path.join(dir, 'capture.zip'), buildZip([{ name: 'sysmon/nessus.xml', data: xml }]));
  const raw = await ruleproof(dir, 'events', '--raw', 'capture.zip');
  t.equal(raw.code, 0, raw.stderr);
  const lines = raw.stdout.trim().split('\n').map((l) => JSON.parse(l));
  t.equal(lines.length, 6);
  t.ok(lines.every((l) => l.member === 'sysmon/nessus.xml' && l.dataset === 'capture.zip'));
});
