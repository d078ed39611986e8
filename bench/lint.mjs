#!/usr/bin/env node
/**
 * Lint throughput: builds a corpus of N rules (default 5,000) by mutating the bundled rules of every
 * format (Elastic TOML with EQL and KQL, Sigma, Splunk ESCU with its macros), each with its tests
 * sidecar, then times loading and linting on one thread and reports rules/s.
 *
 *   npm run build && node bench/lint.mjs [--rules 5000] [--reps 3] [--keep] [--json]
 *
 * Each copy gets a fresh id and name and renames the executables its query names (`"cmd.exe"` →
 * `"cmd-17.exe"`), so no two rules are equal and cross-rule checks (unique ids and names) do real
 * work. Datasets the tests name are created empty: lint only checks that they exist.
 * Run it with `node --cpu-prof bench/lint.mjs --reps 1` to profile.
 */
import { copyFileSync, cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
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

async function main() {
  const { loadRules } = await import(pathToFileURL(path.join(dist, 'rules/index.js')).href);
  const { lintRules } = await import(pathToFileURL(path.join(dist, 'lint/index.js')).href);
  const dir = mkdtempSync(path.join(tmpdir(), 'ruleproof-lint-bench-'));
  try {
    const t0 = performance.now();
    buildCorpus(dir, N);
    const buildMs = performance.now() - t0;
    const runs = [];
    for (let rep = 0; rep < REPS; rep++) {
      const cpu0 = process.cpuUsage();
      const a = performance.now();
      const loaded = await loadRules(['detections'], { root: dir });
      const b = performance.now();
      const findings = lintRules(loaded.rules, { attackVersion: '18.1', severities: {} });
      const c = performance.now();
      const cpu = process.cpuUsage(cpu0);
      runs.push({ rules: loaded.rules.length, loadDiagnostics: loaded.diagnostics.length, findings: findings.length, loadMs: b - a, lintMs: c - b, totalMs: c - a, cpuMs: (cpu.user + cpu.system) / 1000 });
    }
    const best = runs.reduce((x, y) => (y.totalMs < x.totalMs ? y : x));
    const result = {
      corpus: { rules: best.rules, files: N, buildMs: Math.round(buildMs) },
      loadMs: Math.round(best.loadMs),
      lintMs: Math.round(best.lintMs),
      totalMs: Math.round(best.totalMs),
      cpuMs: Math.round(best.cpuMs),
      rulesPerSec: Math.round(best.rules / (best.totalMs / 1000)),
      lintRulesPerSec: Math.round(best.rules / (best.lintMs / 1000)),
      findings: best.findings,
      loadDiagnostics: best.loadDiagnostics,
      reps: runs.length,
      node: process.version,
    };
    if (args.includes('--json')) console.log(JSON.stringify(result));
    else {
      console.log(`corpus: ${best.rules} rules loaded from ${N} rule files (+ tests sidecars), built in ${result.corpus.buildMs} ms`);
      console.log(`load ${result.loadMs} ms + lint ${result.lintMs} ms = ${result.totalMs} ms (CPU ${result.cpuMs} ms), best of ${runs.length}`);
      console.log(`${result.rulesPerSec} rules/s load+lint, ${result.lintRulesPerSec} rules/s lint alone; ${best.findings} finding(s), ${best.loadDiagnostics} load diagnostic(s)`);
    }
  } finally {
    if (args.includes('--keep')) console.error(`corpus kept in ${dir}`);
    else rmSync(dir, { recursive: true, force: true });
  }
}

await main();
