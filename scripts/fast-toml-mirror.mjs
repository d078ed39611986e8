#!/usr/bin/env node
/**
 * Differential run of the fast TOML reader (src/rules/fast-toml.ts) against toml-eslint-parser over
 * the TOML files of git repositories (bare mirrors): each file is declined or read the same.
 * Not part of the test suite (CI has no mirrors).
 *
 *   npm run build && node scripts/fast-toml-mirror.mjs [GIT_DIR ...]
 */
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const { checkFastToml } = await import(pathToFileURL(path.join(root, 'dist/rules/fast-toml-check.js')).href);
const gitDirs = process.argv.slice(2);
if (!gitDirs.length) gitDirs.push('/work/.mirror/elastic+detection-rules/repo');
let failed = false;
for (const gitDir of gitDirs) {
  const listing = execFileSync('git', ['--git-dir', gitDir, 'ls-tree', '-r', '-z', 'HEAD'], { maxBuffer: 2 ** 30 }).toString('utf8').split('\0').filter(Boolean);
  const blobs = listing.map((l) => /^\d+ blob ([0-9a-f]+)\t(.*)$/s.exec(l)).filter((m) => m && /\.toml$/i.test(m[2])).map((m) => ({ sha: m[1], file: m[2] }));
  const out = execFileSync('git', ['--git-dir', gitDir, 'cat-file', '--batch'], { input: blobs.map((b) => b.sha).join('\n') + '\n', maxBuffer: 2 ** 31 });
  let at = 0;
  const counts = { same: 0, declined: 0, mismatch: 0, 'accepted-invalid': 0 };
  for (const b of blobs) {
    const headerEnd = out.indexOf(10, at);
    const size = Number(out.toString('latin1', at, headerEnd).split(' ')[2]);
    const text = out.toString('utf8', headerEnd + 1, headerEnd + 1 + size);
    at = headerEnd + 1 + size + 1;
    const r = checkFastToml(text);
    counts[r.outcome]++;
    if (r.outcome === 'mismatch' || r.outcome === 'accepted-invalid') {
      failed = true;
      console.log(`${r.outcome.toUpperCase()} ${b.file}: ${r.detail}`);
    }
  }
  console.log(`${path.basename(path.dirname(gitDir))}: ${blobs.length} TOML files, ${counts.same} read the same, ${counts.declined} declined (${((100 * counts.declined) / blobs.length).toFixed(1)} %), ${counts.mismatch} mismatches, ${counts['accepted-invalid']} accepted but invalid`);
}
process.exitCode = failed ? 1 : 0;
