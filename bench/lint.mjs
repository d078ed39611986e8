#!/usr/bin/env node
/**
 * Lint throughput: builds a corpus of N rules (default 5,000) by mutating the bundled rules of every
 * format (Elastic TOML with EQL and KQL, Sigma, Splunk ESCU with its macros), each with its tests
 * sidecar, then times `ruleproof lint` over it and reports rules/s.
 *
 *   npm run build && node bench/lint.mjs [--rules 5000] [--reps 3] [--core 0] [--corpus DIR] [--keep] [--json] [--in-process]
 *
 * A user runs the CLI once, so the figure that counts is a cold run: every repetition is the real
 * CLI (`bin/ruleproof.js lint --format json`) in a fresh Node.js process, pinned to one core with
 * `taskset -c <core>` where taskset exists (V8's compiler and garbage-collection threads then share
 * that core, as on a one-core CI runner). Reported: the first run, the best of the repetitions, the
 * CPU time (user + system) and peak RSS of each, read in the child by a small `--import` probe
 * (`process.resourceUsage()` at exit). `--in-process` times `loadRules` + `lintRules` repeatedly in
 * this process instead (later repetitions run warm: not the user's figure, but the work without
 * V8's warm-up). `--corpus DIR` reuses a corpus kept with `--keep`.
 *
 * Each copy gets a fresh id and name and renames the executables its query names (`"cmd.exe"` →
 * `"cmd-17.exe"`), so no two rules are equal and cross-rule checks (unique ids and names) do real
 * work. Datasets the tests name are created empty: lint only checks that they exist.
 * Profile one cold run with `taskset -c 0 node --cpu-prof bin/ruleproof.js lint` in a kept corpus.
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const dist = path.join(root, 'dist');
const args = process.argv.slice(2);
const option = (name, dflt) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1]) : dflt;
};
const N = option('rules', 5000);
const REPS = option('reps', 3);
const CORE = option('core', 0);
const corpusAt = args.indexOf('--corpus');
const GIVEN_CORPUS = corpusAt >= 0 ? path.resolve(args[corpusAt + 1]) : undefined;

/** Rule files to copy, with how to give each copy its own identity. */
const BASES = [
  { file: 'detections/lateral_movement_incoming_wmi.toml', kind: 'toml' },
  { file: 'detections/lateral_movement_powershell_remoting_target.toml', kind: 'toml' },
  { file: 'detections/kql/execution_wsmprovhost_child_process.toml', kind: 'toml' },
  { file: 'detections/kql/execution_wmiprvse_children_burst.toml', kind: 'toml' },
  { file: 'detections/sigma/proc_creation_win_wmiprvse_child_process.yml', kind: 'sigma' },
  { file: 'detections/sigma/proc_creation_win_wsmprovhost_child_process.yml', kind: 'sigma' },
  { file: 'detections/sigma/net_connection_win_rpc_endpoint_mapper_incoming.yml', kind: 'sigma' },
  { file: 'detections/sigma/net_connection_win_rpc_then_wmiprvse_child.yml', kind: 'sigma' },
  { file: 'detections/splunk/detections/endpoint/remote_process_instantiation_via_winrm_and_powershell.yml', kind: 'escu' },
];

function uuid(i) {
  return `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`;
}

function sidecarOf(file) {
  return file.replace(/\.(toml|ya?ml)$/, '.tests.yml');
}

function mutateQueryNames(text, i) {
  return text.replace(/"([^"\\\n]*?)\.exe"/gi, (_, stem) => `"${stem}-${i}.exe"`).replace(/'([^'\\\n]*?)\.exe'/gi, (_, stem) => `'${stem}-${i}.exe'`);
}

function mutateRule(text, kind, i, oldId) {
  let out = mutateQueryNames(text, i).split(oldId).join(uuid(i));
  if (kind === 'toml') out = out.replace(/^name = "(.*)"$/m, (_, n) => `name = "${n} (bench ${i})"`);
  else if (kind === 'sigma') out = out.replace(/^title: (.*)$/m, (_, n) => `title: ${n} (bench ${i})`);
  else out = out.replace(/^name: (.*)$/m, (_, n) => `name: ${n} (bench ${i})`);
  return out;
}

function ruleIdOf(text, kind) {
  const m = kind === 'toml' ? /^rule_id = "([^"]+)"/m.exec(text) : /^id: (\S+)/m.exec(text);
  if (!m) throw new Error(`no rule id in a ${kind} base rule`);
  return m[1];
}

export function buildCorpus(dir, n) {
  mkdirSync(path.join(dir, '.git'), { recursive: true });
  // ESCU needs its repository layout: the macros and the ruleproof.escu.yml beside them.
  cpSync(path.join(root, 'detections/splunk/macros'), path.join(dir, 'detections/splunk/macros'), { recursive: true });
  copyFileSync(path.join(root, 'detections/splunk/ruleproof.escu.yml'), path.join(dir, 'detections/splunk/ruleproof.escu.yml'));
  copyFileSync(path.join(root, 'detections/splunk/LICENSE'), path.join(dir, 'detections/splunk/LICENSE'));
  const bases = BASES.map((b) => {
    const text = readFileSync(path.join(root, b.file), 'utf8');
    const sidecar = readFileSync(path.join(root, sidecarOf(b.file)), 'utf8');
    return { ...b, text, sidecar, id: ruleIdOf(text, b.kind) };
  });
  // A Sigma correlation names its rules by id or `name`: each batch of copies (one copy of every
  // base) gets its own names, and references point at the copies of the same batch, so every
  // correlation compiles against rules that exist, as in a real repository.
  const sigmaNames = bases.flatMap((b) => (b.kind === 'sigma' ? [.../^name: (\S+)$/m.exec(b.text)?.slice(1) ?? []] : []));
  const datasets = new Set();
  for (let i = 0; i < n; i++) {
    const base = bases[i % bases.length];
    const batch = Math.floor(i / bases.length);
    let text = base.text;
    if (base.kind === 'sigma') {
      bases.forEach((other, j) => {
        if (other !== base && batch * bases.length + j < n) text = text.split(other.id).join(uuid(batch * bases.length + j));
      });
      for (const name of sigmaNames) text = text.replace(new RegExp(`\\b${name}\\b`, 'g'), `${name}_${batch}`);
    }
    const dirName = path.dirname(base.file);
    const ext = path.extname(base.file);
    const name = `bench_${String(i).padStart(5, '0')}`;
    mkdirSync(path.join(dir, dirName), { recursive: true });
    writeFileSync(path.join(dir, dirName, name + ext), mutateRule(text, base.kind, i, base.id));
    writeFileSync(path.join(dir, dirName, `${name}.tests.yml`), base.sidecar.split(base.id).join(uuid(i)));
    for (const m of base.sidecar.matchAll(/dataset:\s*(\S+)/g)) datasets.add(m[1]);
  }
  for (const d of datasets) {
    mkdirSync(path.dirname(path.join(dir, d)), { recursive: true });
    writeFileSync(path.join(dir, d), '');
  }
}

/** Whether `taskset` can pin a process here (Linux with util-linux). */
function tasksetWorks() {
  return spawnSync('taskset', ['-c', String(CORE), 'true'], { stdio: 'ignore' }).status === 0;
}

/**
 * Loaded with `--import` into the CLI's process: writes the process's own resource usage to the file
 * named by RULEPROOF_BENCH_USAGE when it exits, so CPU time and peak RSS are the child's alone.
 */
const PROBE = `import { writeFileSync } from 'node:fs';
process.on('exit', () => {
  const u = process.resourceUsage();
  writeFileSync(process.env.RULEPROOF_BENCH_USAGE, JSON.stringify({ userMs: u.userCPUTime / 1000, systemMs: u.systemCPUTime / 1000, maxRssKb: u.maxRSS }));
});
`;

/** One cold CLI run over the corpus, in a fresh process. */
function coldRun(dir, scratch, pinned) {
  const probe = path.join(scratch, 'probe.mjs');
  const usageFile = path.join(scratch, 'usage.json');
  if (!existsSync(probe)) writeFileSync(probe, PROBE);
  rmSync(usageFile, { force: true });
  const node = [`--import=${pathToFileURL(probe).href}`, path.join(root, 'bin/ruleproof.js'), 'lint', '--format', 'json'];
  const [command, argv] = pinned ? ['taskset', ['-c', String(CORE), process.execPath, ...node]] : [process.execPath, node];
  const started = performance.now();
  const child = spawnSync(command, argv, { cwd: dir, encoding: 'utf8', maxBuffer: 1 << 30, env: { ...process.env, RULEPROOF_BENCH_USAGE: usageFile } });
  const wallMs = performance.now() - started;
  if (child.error) throw child.error;
  let report;
  try {
    report = JSON.parse(child.stdout);
  } catch {
    throw new Error(`ruleproof lint did not print a JSON report (exit ${child.status}): ${child.stderr.slice(0, 500)}`);
  }
  const usage = JSON.parse(readFileSync(usageFile, 'utf8'));
  return {
    wallMs,
    cpuMs: usage.userMs + usage.systemMs,
    userMs: usage.userMs,
    maxRssMb: usage.maxRssKb / 1024,
    rules: report.summary.rules,
    findings: report.diagnostics.length,
    exitCode: child.status,
  };
}

async function inProcess(dir) {
  const { loadRules } = await import(pathToFileURL(path.join(dist, 'rules/index.js')).href);
  const { lintRules } = await import(pathToFileURL(path.join(dist, 'lint/index.js')).href);
  const runs = [];
  for (let rep = 0; rep < REPS; rep++) {
    const cpu0 = process.cpuUsage();
    const a = performance.now();
    const loaded = await loadRules(['detections'], { root: dir });
    const b = performance.now();
    const findings = lintRules(loaded.rules, { attackVersion: '18.1', severities: {} });
    const c = performance.now();
    const cpu = process.cpuUsage(cpu0);
    runs.push({ rules: loaded.rules.length, findings: findings.length, loadMs: b - a, lintMs: c - b, wallMs: c - a, cpuMs: (cpu.user + cpu.system) / 1000 });
  }
  return runs;
}

async function main() {
  const dir = GIVEN_CORPUS ?? mkdtempSync(path.join(tmpdir(), 'ruleproof-lint-bench-'));
  const scratch = mkdtempSync(path.join(tmpdir(), 'ruleproof-lint-probe-'));
  try {
    const t0 = performance.now();
    if (!GIVEN_CORPUS) buildCorpus(dir, N);
    const buildMs = performance.now() - t0;
    const inProc = args.includes('--in-process');
    const pinned = !inProc && tasksetWorks();
    const runs = inProc ? await inProcess(dir) : Array.from({ length: REPS }, () => coldRun(dir, scratch, pinned));
    const first = runs[0];
    const best = runs.reduce((x, y) => (y.wallMs < x.wallMs ? y : x));
    const round = (run) => Object.fromEntries(Object.entries(run).map(([k, v]) => [k, typeof v === 'number' && !Number.isInteger(v) ? Math.round(v) : v]));
    const result = {
      mode: inProc ? 'in-process' : 'cold CLI, fresh process per run',
      pinned: pinned ? `taskset -c ${CORE}` : false,
      corpus: { rules: best.rules, files: GIVEN_CORPUS ? undefined : N, buildMs: Math.round(buildMs) },
      first: round(first),
      best: round(best),
      runs: runs.map((r) => Math.round(r.wallMs)),
      rulesPerSec: Math.round(best.rules / (best.wallMs / 1000)),
      firstRulesPerSec: Math.round(first.rules / (first.wallMs / 1000)),
      peakRssMb: inProc ? undefined : Math.round(Math.max(...runs.map((r) => r.maxRssMb))),
      findings: best.findings,
      node: process.version,
    };
    if (args.includes('--json')) console.log(JSON.stringify(result));
    else {
      const where = inProc ? 'in this process (later runs warm)' : pinned ? `cold CLI runs, each a fresh process pinned with taskset -c ${CORE}` : 'cold CLI runs, each a fresh process (taskset not available: not pinned)';
      console.log(`corpus: ${best.rules} rules${GIVEN_CORPUS ? ` in ${dir}` : ` from ${N} rule files (+ tests sidecars), built in ${result.corpus.buildMs} ms`}`);
      console.log(`${runs.length} ${where}: ${result.runs.join(', ')} ms`);
      console.log(`first: ${Math.round(first.wallMs)} ms (CPU ${Math.round(first.cpuMs)} ms), ${result.firstRulesPerSec} rules/s`);
      console.log(`best:  ${Math.round(best.wallMs)} ms (CPU ${Math.round(best.cpuMs)} ms), ${result.rulesPerSec} rules/s${result.peakRssMb ? `; peak RSS ${result.peakRssMb} MB` : ''}`);
      console.log(`${best.findings} finding(s)`);
    }
  } finally {
    rmSync(scratch, { recursive: true, force: true });
    if (GIVEN_CORPUS) {
      // a corpus given to us is left alone
    } else if (args.includes('--keep')) console.error(`corpus kept in ${dir}`);
    else rmSync(dir, { recursive: true, force: true });
  }
}

await main();
