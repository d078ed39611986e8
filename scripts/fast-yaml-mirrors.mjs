#!/usr/bin/env node
/**
 * Differential run of the fast YAML reader (src/rules/fast-yaml.ts) against `yaml` over the YAML
 * files of git repositories (bare mirrors or checkouts): every file is either declined by the fast
 * reader or read to the same data, node types and ranges. Not part of the test suite (CI has no
 * mirrors). Reports the decline rate and every mismatch.
 *
 *   npm run build && node scripts/fast-yaml-mirrors.mjs [GIT_DIR ...] [--show-declined N]
 */
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const dist = (m) => import(pathToFileURL(path.join(root, 'dist', m)).href);
const { checkFastYaml } = await dist('rules/fast-yaml-check.js');
const { fastParseYaml } = await dist('rules/fast-yaml.js');
const { toYamlDocument } = await dist('rules/fast-yaml-nodes.js');
const { compileSigma } = await dist('engine/sigma/index.js');
const { docKind } = await dist('engine/sigma/document.js');

/**
 * A Sigma document the loader would hand to the compiler (read by the fast reader, starting at
 * offset 0, one final line break): compiled from that parse and from the compiler's own, the
 * results must be the same. Returns undefined when the file is not such a document.
 */
function compareSigmaCompile(text) {
  const fast = fastParseYaml(text);
  if (!fast || fast.range[0] !== 0 || text.includes('\r') || !/[^\n]\n$/.test(text)) return undefined;
  const data = fast.data;
  if (!('detection' in data || 'correlation' in data || 'filter' in data)) return undefined;
  const options = { language: 'sigma', fieldView: 'sigma' };
  const summary = (r) => (r.ok ? JSON.stringify({ ir: r.query.source?.ir, fields: r.query.fields, unknown: r.query.unknownFields, stages: r.query.stageCount, literals: r.query.literals }) : JSON.stringify(r.errors));
  const own = summary(compileSigma(text, options));
  const handed = summary(compileSigma(text, { ...options, parsed: { text, value: [{ doc: toYamlDocument(fast), data, kind: docKind(data), start: 0 }] } }));
  return own === handed;
}
const args = process.argv.slice(2);
const showAt = args.indexOf('--show-declined');
const show = showAt >= 0 ? Number(args[showAt + 1]) : 0;
const gitDirs = args.filter((a, i) => !a.startsWith('--') && (showAt < 0 || i !== showAt + 1));
if (!gitDirs.length) gitDirs.push('/work/.mirror/SigmaHQ+sigma/repo', '/work/.mirror/splunk+security_content/repo');

let failed = false;
for (const gitDir of gitDirs) {
  const git = (...a) => execFileSync('git', ['--git-dir', gitDir, ...a], { maxBuffer: 1 << 30 });
  const listing = git('ls-tree', '-r', '-z', 'HEAD').toString('utf8').split('\0').filter(Boolean);
  const blobs = listing
    .map((l) => /^\d+ blob ([0-9a-f]+)\t(.*)$/s.exec(l))
    .filter((m) => m && /\.ya?ml$/i.test(m[2]))
    .map((m) => ({ sha: m[1], file: m[2] }));
  // One `git cat-file --batch` for every blob.
  const out = execFileSync('git', ['--git-dir', gitDir, 'cat-file', '--batch'], { input: blobs.map((b) => b.sha).join('\n') + '\n', maxBuffer: 2 ** 31 });
  let at = 0;
  const counts = { same: 0, declined: 0, mismatch: 0, 'accepted-invalid': 0 };
  const compiled = { same: 0, different: 0 };
  const declined = [];
  for (const b of blobs) {
    const headerEnd = out.indexOf(10, at);
    const size = Number(out.toString('latin1', at, headerEnd).split(' ')[2]);
    const body = out.toString('utf8', headerEnd + 1, headerEnd + 1 + size);
    at = headerEnd + 1 + size + 1;
    const text = body.charCodeAt(0) === 0xfeff ? body.slice(1) : body;
    const r = checkFastYaml(text);
    counts[r.outcome]++;
    if (r.outcome === 'mismatch' || r.outcome === 'accepted-invalid') {
      failed = true;
      console.log(`${r.outcome.toUpperCase()} ${b.file}: ${r.detail}`);
    } else if (r.outcome === 'declined') declined.push(b.file);
    if (r.outcome === 'same') {
      const c = compareSigmaCompile(text);
      if (c === true) compiled.same++;
      else if (c === false) {
        compiled.different++;
        failed = true;
        console.log(`SIGMA COMPILE DIFFERS ${b.file}`);
      }
    }
  }
  const total = blobs.length;
  console.log(`${path.basename(gitDir)}: ${total} YAML files, ${counts.same} read the same, ${counts.declined} declined (${((100 * counts.declined) / total).toFixed(1)} %), ${counts.mismatch} mismatches, ${counts['accepted-invalid']} accepted but invalid`);
  if (compiled.same + compiled.different) console.log(`  Sigma documents compiled from the fast reader's parse and from the compiler's own: ${compiled.same} the same, ${compiled.different} different`);
  for (const f of declined.slice(0, show)) console.log(`  declined: ${f}`);
}
process.exitCode = failed ? 1 : 0;
