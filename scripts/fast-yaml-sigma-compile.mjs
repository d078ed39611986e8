#!/usr/bin/env node
/**
 * End-to-end check of the Sigma parse hand-over (`RuleQuery.parsed` → `CompileOptions.parsed`):
 * loads the rules under a repository root and compiles every Sigma rule's query both from the
 * loader's parse and from the compiler's own; the results must be the same. Not part of the test
 * suite (it is meant for large checkouts such as SigmaHQ's).
 *
 *   npm run build && node scripts/fast-yaml-sigma-compile.mjs ROOT [RULE_PATH ...]
 */
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const dist = (m) => import(pathToFileURL(path.join(root, 'dist', m)).href);
const { loadRules } = await dist('rules/index.js');
const { compileQuery } = await dist('engine/index.js');
const [repo, ...paths] = process.argv.slice(2);
if (!repo) throw new Error('usage: fast-yaml-sigma-compile.mjs ROOT [RULE_PATH ...]');
const loaded = await loadRules(paths.length ? paths : ['.'], { root: path.resolve(repo) });
const summary = (r) => (r.ok ? JSON.stringify({ ir: r.query.source?.ir, fields: r.query.fields, unknown: r.query.unknownFields, stages: r.query.stageCount, literals: r.query.literals }) : JSON.stringify(r.errors));
const counts = { sigma: 0, handed: 0, same: 0, different: 0 };
for (const rule of loaded.rules) {
  if (rule.format !== 'sigma') continue;
  counts.sigma++;
  const parsed = rule.query.parsed?.();
  if (!parsed) continue;
  counts.handed++;
  const options = { language: rule.query.language, fieldView: rule.query.fieldView };
  let own, handed;
  try {
    own = summary(compileQuery(rule.query.text, options));
  } catch (e) {
    own = `crash ${e.message}`;
  }
  try {
    handed = summary(compileQuery(rule.query.text, { ...options, parsed }));
  } catch (e) {
    handed = `crash ${e.message}`;
  }
  if (own === handed) counts.same++;
  else {
    counts.different++;
    console.log(`DIFFERENT ${rule.source.file}`);
  }
}
console.log(`${counts.sigma} Sigma rules, ${counts.handed} with the loader's parse handed over: ${counts.same} compiled the same, ${counts.different} differently`);
process.exitCode = counts.different ? 1 : 0;
