#!/usr/bin/env node
/**
 * Conformance measurement over an elastic/detection-rules checkout (fetched, never committed): how
 * many KQL rules (`language = "kuery"`, types query / saved_query / threshold / new_terms) load,
 * parse and compile with ruleproof's KQL engine, and why the others do not (grouped reasons). EQL
 * rules of the same repository are counted too (`--eql`), as a cheap check of the EQL engine.
 *
 *   npm run build && node scripts/measure-kql.mjs <detection-rules checkout or git dir> [--eql] [folders…]
 *
 * Every rule that compiles is also run once over a few synthetic events (a process start, a network
 * connection, an authentication, an empty document), so a query that compiles but throws when it meets
 * an event is counted as failing too ("run" in the output).
 *
 * A bare git directory (the fetch tool's mirror) is read with `git ls-tree`/`git show`. Folders
 * default to rules and rules_building_block.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { compileQuery } from '../dist/engine/index.js';
import { loadElasticToml } from '../dist/rules/elastic-toml.js';
import { VersionLocks } from '../dist/rules/lock.js';

const args = process.argv.slice(2);
const withEql = args.includes('--eql');
const [source, ...folders] = args.filter((a) => a !== '--eql');
if (!source) {
  console.error('usage: node scripts/measure-kql.mjs <detection-rules checkout or git dir> [--eql] [folders…]');
  process.exit(2);
}
const dirs = folders.length ? folders : ['rules', 'rules_building_block'];
const bare = existsSync(path.join(source, 'HEAD')) && !existsSync(path.join(source, '.git'));
const git = (...a) => execFileSync('git', ['--git-dir', bare ? source : path.join(source, '.git'), ...a], { maxBuffer: 1 << 28 }).toString();
const files = git('ls-tree', '-r', '--name-only', 'HEAD', '--', ...dirs).split('\n').filter((f) => f.endsWith('.toml')).sort();
const read = (f) => (bare ? git('show', `HEAD:${f}`) : readFileSync(path.join(source, f), 'utf8'));

const KQL_TYPES = new Set(['query', 'saved_query', 'threshold', 'new_terms']);
// Exceptions are looked up next to the rule on disk; a bare mirror has no work tree, so none apply.
const root = bare ? '/nonexistent-root' : source;
const locks = new VersionLocks(root);
const blank = () => ({ rules: 0, compiled: 0, unsupported: 0, failed: 0, ran: 0 });
const at = (ms) => new Date(Date.UTC(2024, 0, 1) + ms).toISOString();
const SAMPLE_DOCS = [
  {},
  { '@timestamp': at(0), event: { category: ['process'], type: ['start'], kind: 'event' }, host: { os: { type: 'windows' }, name: 'h' }, process: { name: 'cmd.exe', executable: 'C:\\Windows\\System32\\cmd.exe', args: ['cmd.exe', '/c', 'whoami'], command_line: 'cmd.exe /c whoami', pid: 4, parent: { name: 'explorer.exe' } }, user: { name: 'u' }, message: 'a message' },
  { '@timestamp': at(1000), event: { category: ['network'], type: ['connection'] }, source: { ip: '10.0.0.1', port: 50000 }, destination: { ip: '8.8.8.8', port: 443 }, network: { transport: 'tcp' } },
  { '@timestamp': at(2000), event: { category: ['authentication'], outcome: 'failure', action: 'logon-failed' }, user: [{ name: 'a' }], source: { ip: '::1' }, powershell: { file: { script_block_text: 'IEX (New-Object Net.WebClient)' } } },
];
const stats = { files: files.length, loadFailed: 0, skipped: 0, kql: blank(), kqlByType: {}, eql: blank(), otherRules: 0, otherByLanguageAndType: {} };
const reasons = { kql: new Map(), eql: new Map(), skipped: new Map() };
const note = (lang, kind, message, file) => {
  const key = `${kind}: ${message.replace(/"[^"]*"/g, '"…"').replace(/\d+/g, 'N')}`;
  const entry = reasons[lang].get(key) ?? { count: 0, examples: [] };
  entry.count++;
  if (entry.examples.length < 3) entry.examples.push(file);
  reasons[lang].set(key, entry);
};

for (const f of files) {
  const load = loadElasticToml(read(f), { root, file: f, absPath: path.join(root, f), locks });
  if (load.failed || !load.rules.length) {
    // A rule type with no query (machine_learning) is skipped with a warning, not a failure.
    const errors = load.diagnostics.filter((x) => x.severity === 'error');
    if (errors.length) {
      stats.loadFailed++;
      for (const d of errors) note('kql', 'load', d.message, f);
    } else {
      stats.skipped++;
      for (const d of load.diagnostics) note('skipped', d.code, d.message, f);
    }
    continue;
  }
  for (const rule of load.rules) {
    const raw = rule.raw?.rule ?? {};
    const type = String(raw.type ?? '');
    let lang;
    if (rule.query.language === 'kql' && KQL_TYPES.has(type)) lang = 'kql';
    else if (withEql && rule.query.language === 'eql') lang = 'eql';
    else {
      stats.otherRules++;
      const key = `${rule.query.language}/${type}`;
      stats.otherByLanguageAndType[key] = (stats.otherByLanguageAndType[key] ?? 0) + 1;
      continue;
    }
    const s = stats[lang];
    s.rules++;
    if (lang === 'kql') stats.kqlByType[type] = (stats.kqlByType[type] ?? 0) + 1;
    const r = compileQuery(rule.query.text, rule.query);
    if (r.ok) {
      s.compiled++;
      try {
        const detector = r.query.newDetector(() => {});
        SAMPLE_DOCS.forEach((doc, i) => detector.push({ doc, timestamp: Date.UTC(2024, 0, 1) + i * 1000, key: `sample:${i}`, dataset: 'sample', ordinal: i }));
        detector.finish();
        s.ran++;
      } catch (err) {
        note(lang, 'run', err instanceof Error ? err.message : String(err), f);
      }
    }
    else if (r.errors.every((e) => e.kind === 'unsupported')) {
      s.unsupported++;
      note(lang, 'unsupported', r.errors[0].message, f);
    } else {
      s.failed++;
      note(lang, r.errors[0].kind, r.errors[0].message, f);
    }
  }
}
console.log(JSON.stringify(stats));
for (const lang of ['kql', 'eql', 'skipped']) {
  if (!reasons[lang].size) continue;
  console.log(lang === 'skipped' ? '\nfiles skipped (no replayable query)' : `\n${lang}: rules that do not compile`);
  for (const [key, { count, examples }] of [...reasons[lang]].sort((a, b) => b[1].count - a[1].count || a[0].localeCompare(b[0]))) {
    console.log(`${String(count).padStart(5)}  ${key}  (e.g. ${examples.join(', ')})`);
  }
}
