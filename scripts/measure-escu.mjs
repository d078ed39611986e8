#!/usr/bin/env node
/**
 * How much of splunk/security_content ruleproof can run: loads every detection of a content
 * repository (its macros expanded as ruleproof does), compiles each production detection's search,
 * and counts how many compile, and why the others do not (unsupported command, function or data
 * model; unknown macro; syntax).
 *
 * Usage (after `npm run build`):
 *   node scripts/measure-escu.mjs <security_content checkout | bare git dir> [--json] [--all-status]
 * A bare git directory (what ruleproof's `fetch` tool gives) is exported to a temporary folder first.
 * The repository is read, never copied into ruleproof.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const { loadRules } = await import(path.join(here, '..', 'dist', 'rules', 'index.js'));
const { compileQuery } = await import(path.join(here, '..', 'dist', 'engine', 'index.js'));

const args = process.argv.slice(2);
const json = args.includes('--json');
const allStatus = args.includes('--all-status');
const source = args.find((a) => !a.startsWith('--'));
if (!source) {
  console.error('usage: node scripts/measure-escu.mjs <security_content checkout or git dir> [--json] [--all-status]');
  process.exit(2);
}

let repo = path.resolve(source);
let tmp;
let commit = '';
if (!existsSync(path.join(repo, 'detections'))) {
  // A bare repository: export detections/ and macros/ of HEAD.
  tmp = mkdtempSync(path.join(os.tmpdir(), 'ruleproof-escu-'));
  const tar = execFileSync('git', ['--git-dir', repo, 'archive', 'HEAD', 'detections', 'macros', 'LICENSE'], { maxBuffer: 1 << 30 });
  execFileSync('tar', ['-x', '-C', tmp], { input: tar });
  commit = execFileSync('git', ['--git-dir', repo, 'rev-parse', 'HEAD']).toString().trim();
  repo = tmp;
} else {
  try {
    commit = execFileSync('git', ['-C', repo, 'rev-parse', 'HEAD']).toString().trim();
  } catch {
    commit = '';
  }
}

const started = performance.now();
const loaded = await loadRules([path.join(repo, 'detections')], { root: repo });
const loadMs = performance.now() - started;

const rules = loaded.rules.filter((r) => allStatus || r.status === 'production');
const reasons = new Map();
const examples = new Map();
let ok = 0;
const byShape = new Map();
const compileStarted = performance.now();
for (const rule of rules) {
  const text = rule.query.text;
  const shape = /^\s*\|\s*tstats[\s\S]*?datamodel[=:]"?([\w.]+)/.exec(text)?.[1] ?? (/^\s*\|/.test(text) ? 'other generating command' : 'raw search');
  const entry = byShape.get(shape) ?? { total: 0, ok: 0 };
  entry.total++;
  const r = compileQuery(text, { language: rule.query.language, fieldView: rule.query.fieldView });
  if (r.ok) {
    ok++;
    entry.ok++;
  } else {
    const e = r.errors[0];
    // Group by what is missing, without the parts that vary per rule.
    const key = `${e.kind}: ${e.message.replace(/"[^"]*"/g, '"…"').replace(/`[^`]*`/g, '`…`').replace(/\(supported:.*\)$/, '').replace(/datamodel=\S+/, (m) => m)}`;
    reasons.set(key, (reasons.get(key) ?? 0) + 1);
    if (!examples.has(key)) examples.set(key, rule.source.file);
  }
  byShape.set(shape, entry);
}
const compileMs = performance.now() - compileStarted;
if (tmp) rmSync(tmp, { recursive: true, force: true });

const sortedReasons = [...reasons.entries()].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
const sortedShapes = [...byShape.entries()].sort((a, b) => b[1].total - a[1].total || (a[0] < b[0] ? -1 : 1));
const report = {
  repository: 'splunk/security_content',
  commit,
  files: loaded.rules.length + loaded.failedFiles.length,
  loaded: loaded.rules.length,
  loadFailures: loaded.failedFiles.length,
  failedFiles: loaded.failedFiles,
  loadErrors: loaded.diagnostics.filter((d) => d.severity === 'error').map((d) => `${d.file}:${d.line}: ${d.message}`),
  measured: rules.length,
  status: allStatus ? 'all' : 'production',
  compiled: ok,
  percent: rules.length ? Math.round((1000 * ok) / rules.length) / 10 : 0,
  byShape: Object.fromEntries(sortedShapes),
  reasons: sortedReasons.map(([reason, count]) => ({ reason, count, example: examples.get(reason) })),
  timings: { loadMs: Math.round(loadMs), compileMs: Math.round(compileMs) },
};

if (json) {
  console.log(JSON.stringify(report, null, 2));
} else {
  console.log(`splunk/security_content ${commit.slice(0, 12)}: ${report.loaded} detections loaded (${report.loadFailures} files failed to load)`);
  for (const e of report.loadErrors) console.log(`  load error: ${e}`);
  console.log(`${report.status} detections: ${report.measured}; compile and can run: ${ok} (${report.percent}%)`);
  console.log('\nby search shape (compiled / total):');
  for (const [shape, e] of sortedShapes) console.log(`  ${String(e.ok).padStart(5)} / ${String(e.total).padEnd(5)} ${shape}`);
  console.log('\nwhy the others do not (first error per detection):');
  for (const { reason, count, example } of report.reasons) console.log(`  ${String(count).padStart(5)}  ${reason}   e.g. ${example}`);
  console.log(`\nload ${report.timings.loadMs} ms, compile ${report.timings.compileMs} ms`);
}
