#!/usr/bin/env node
/**
 * Conformance measurement over a SigmaHQ checkout (fetched, never committed): how many rules load,
 * parse and compile with ruleproof's Sigma engine, and why the others do not (grouped reasons).
 *
 *   npm run build && node scripts/measure-sigma.mjs <sigma-checkout-or-git-dir> [folders…]
 *
 * A bare git directory (the fetch tool's mirror) is read with `git ls-tree`/`git show`. Folders
 * default to rules, rules-emerging-threats, rules-threat-hunting, rules-placeholder, rules-compliance.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { compileSigma } from '../dist/engine/sigma/index.js';
import { loadSigmaText } from '../dist/rules/sigma.js';
import { VersionLocks } from '../dist/rules/lock.js';

const [source, ...folders] = process.argv.slice(2);
if (!source) {
  console.error('usage: node scripts/measure-sigma.mjs <sigma checkout or git dir> [folders…]');
  process.exit(2);
}
const dirs = folders.length ? folders : ['rules', 'rules-emerging-threats', 'rules-threat-hunting', 'rules-placeholder', 'rules-compliance'];
const bare = existsSync(path.join(source, 'HEAD')) && !existsSync(path.join(source, '.git'));
const git = (...args) => execFileSync('git', ['--git-dir', bare ? source : path.join(source, '.git'), ...args], { maxBuffer: 1 << 28 }).toString();
const files = git('ls-tree', '-r', '--name-only', 'HEAD', '--', ...dirs).split('\n').filter((f) => /\.ya?ml$/.test(f)).sort();
const read = (f) => (bare ? git('show', `HEAD:${f}`) : readFileSync(path.join(source, f), 'utf8'));

const root = '/nonexistent-root';
const locks = new VersionLocks(root);
const stats = { files: files.length, loaded: 0, loadFailed: 0, compiled: 0, unsupported: 0, failed: 0 };
const reasons = new Map();
const note = (kind, message, file) => {
  const key = `${kind}: ${message.replace(/"[^"]*"/g, '"…"').replace(/\d+/g, 'N')}`;
  const entry = reasons.get(key) ?? { count: 0, example: file };
  entry.count++;
  reasons.set(key, entry);
};
for (const f of files) {
  const load = loadSigmaText(read(f), { root, file: f, absPath: path.join(root, f), locks });
  if (load.failed || !load.rules.length) {
    stats.loadFailed++;
    for (const d of load.diagnostics) note('load', d.message, f);
    continue;
  }
  stats.loaded++;
  for (const rule of load.rules) {
    const r = compileSigma(rule.query.text, { language: 'sigma', fieldView: 'sigma' });
    if (r.ok) stats.compiled++;
    else if (r.errors.every((e) => e.kind === 'unsupported')) {
      stats.unsupported++;
      note('unsupported', r.errors[0].message, f);
    } else {
      stats.failed++;
      note(r.errors[0].kind, r.errors[0].message, f);
    }
  }
}
console.log(JSON.stringify(stats));
for (const [key, { count, example }] of [...reasons].sort((a, b) => b[1].count - a[1].count)) console.log(`${String(count).padStart(5)}  ${key}  (e.g. ${example})`);
