/**
 * The git plumbing `regress --base` needs, through the git binary (no library): the merge base with
 * the default branch, file changes under the rule paths, and a copy of the rule tree at a ref.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { ContentError } from '../util/diagnostics.js';

function usage(message: string, hint: string): ContentError {
  return new ContentError({ file: '.', line: 0, column: 0, severity: 'error', code: 'config/git', message, hint });
}

export function git(cwd: string, args: string[], input?: Buffer | string): Buffer {
  const res = spawnSync('git', args, { cwd, input, maxBuffer: 1 << 30, windowsHide: true });
  if (res.error) throw usage(`cannot run git: ${res.error.message}`, 'Install git and make sure it is on PATH.');
  if (res.status !== 0) {
    const err = res.stderr.toString('utf8').trim().split('\n')[0] ?? '';
    throw usage(`git ${args[0]} failed: ${err}`, 'Check that this is a git repository and that the ref exists (fetch it in CI: actions/checkout with fetch-depth: 0).');
  }
  return res.stdout;
}

const text = (b: Buffer) => b.toString('utf8').trim();

/** The commit a ref names. */
export function resolveCommit(cwd: string, ref: string): string {
  return text(git(cwd, ['rev-parse', '--verify', '--quiet', `${ref}^{commit}`]));
}

/**
 * The default base: the merge base of HEAD with the default branch — origin's HEAD when known,
 * else origin/main, origin/master, main, master (the first that exists).
 */
export function defaultBase(cwd: string): string {
  const candidates: string[] = [];
  const head = spawnSync('git', ['symbolic-ref', '--quiet', '--short', 'refs/remotes/origin/HEAD'], { cwd, windowsHide: true });
  if (head.status === 0) candidates.push(text(head.stdout));
  candidates.push('origin/main', 'origin/master', 'main', 'master');
  for (const ref of candidates) {
    const ok = spawnSync('git', ['rev-parse', '--verify', '--quiet', `${ref}^{commit}`], { cwd, windowsHide: true });
    if (ok.status !== 0) continue;
    return text(git(cwd, ['merge-base', 'HEAD', ref]));
  }
  throw usage('no default branch found to compare with (tried origin/HEAD, origin/main, origin/master, main, master)', 'Pass --base <ref>, or --from FILE --to FILE.');
}

export interface FileChange {
  /** A, M, D, R (rename), C (copy), T (type change). */
  status: string;
  path: string;
  oldPath?: string;
}

/** Changes between `ref` and the working tree under `paths` (relative to `cwd`), renames detected. */
export function changedFiles(cwd: string, ref: string, paths: readonly string[]): FileChange[] {
  const out = git(cwd, ['diff', '--name-status', '-M', '-z', '--relative', ref, '--', ...paths]).toString('utf8');
  const parts = out.split('\0').filter((p) => p !== '');
  const changes: FileChange[] = [];
  for (let i = 0; i < parts.length; ) {
    const status = parts[i++] as string;
    const kind = status.charAt(0);
    if (kind === 'R' || kind === 'C') {
      const oldPath = parts[i++] as string;
      changes.push({ status: kind, path: parts[i++] as string, oldPath });
    } else {
      changes.push({ status: kind, path: parts[i++] as string });
    }
  }
  // Untracked new files are part of the working tree too.
  const untracked = git(cwd, ['ls-files', '--others', '--exclude-standard', '-z', '--', ...paths]).toString('utf8').split('\0').filter(Boolean);
  for (const p of untracked) if (!changes.some((c) => c.path === p)) changes.push({ status: 'A', path: p });
  return changes.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

/**
 * Write the files under `paths` as they are at `ref` into `dest` (same relative layout), reading all
 * blobs through one `git cat-file --batch`. Paths that do not exist at the ref are skipped.
 */
export function materializeTree(cwd: string, ref: string, paths: readonly string[], dest: string): string[] {
  const listing = git(cwd, ['ls-tree', '-r', '-z', '--name-only', ref, '--', ...paths]).toString('utf8').split('\0').filter(Boolean);
  if (!listing.length) return [];
  const batch = git(cwd, ['cat-file', '--batch'], listing.map((p) => `${ref}:./${p}`).join('\n') + '\n');
  let offset = 0;
  const written: string[] = [];
  for (const file of listing) {
    const eol = batch.indexOf(10, offset);
    const header = batch.subarray(offset, eol).toString('utf8');
    offset = eol + 1;
    const m = /^[0-9a-f]+ (\w+) (\d+)$/.exec(header);
    if (!m) continue; // "<object> missing": a submodule or a path git could not read
    const size = Number(m[2]);
    const content = batch.subarray(offset, offset + size);
    offset += size + 1;
    if (m[1] !== 'blob') continue;
    const target = path.join(dest, ...file.split('/'));
    mkdirSync(path.dirname(target), { recursive: true });
    writeFileSync(target, content);
    written.push(file);
  }
  return written;
}
