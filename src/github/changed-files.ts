/**
 * `--changed-since REF`: the files a branch changed since it left REF (the merge base, as a pull
 * request diff shows them), plus uncommitted and untracked files, and the rules those changes touch.
 */
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import type { Rule } from '../rules/model.js';

function git(root: string, args: string[]): string {
  return execFileSync('git', args, { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 64 * 1024 * 1024 });
}

/** Repository-relative (to `root`), `/`-separated paths changed since `ref`; a string says why not. */
export function changedFilesSince(root: string, ref: string): Set<string> | string {
  let top: string;
  try {
    top = git(root, ['rev-parse', '--show-toplevel']).trim();
  } catch {
    return `--changed-since needs a git repository, and ${root} is not in one`;
  }
  try {
    git(root, ['rev-parse', '--verify', '--quiet', `${ref}^{commit}`]);
  } catch {
    return `--changed-since: "${ref}" is not a commit in this clone (a shallow checkout? use actions/checkout with fetch-depth: 0, or fetch the base branch)`;
  }
  let base = ref;
  try {
    base = git(root, ['merge-base', ref, 'HEAD']).trim() || ref;
  } catch {
    // Unrelated histories: compare with the ref itself.
  }
  const files = new Set<string>();
  const add = (out: string) => {
    for (const p of out.split('\0').filter(Boolean)) {
      const rel = path.relative(root, path.join(top, p)).split(path.sep).join('/');
      if (!rel.startsWith('../')) files.add(rel);
    }
  };
  try {
    add(git(root, ['-c', 'core.quotepath=off', 'diff', '--name-only', '--no-renames', '-z', base, '--', '.']));
    add(git(root, ['ls-files', '--others', '--exclude-standard', '-z', '--', '.']));
  } catch (err) {
    return `--changed-since: git diff failed: ${(err as Error).message.split('\n')[0]}`;
  }
  return files;
}

/** Files whose change can change every rule's results: configuration at the repository root. */
function changesEverything(file: string): boolean {
  return !file.includes('/') && /^ruleproof\.[^/]*\.ya?ml$|^ruleproof\.config\.ya?ml$/.test(file);
}

/** Rules whose rule file, test sidecar, datasets or dataset descriptors changed. */
export function rulesTouchedBy<R extends Rule>(rules: readonly R[], changed: ReadonlySet<string>): R[] {
  if ([...changed].some(changesEverything)) return [...rules];
  return rules.filter((r) => {
    if (changed.has(r.source.file) || (r.source.testsFile && changed.has(r.source.testsFile))) return true;
    return r.tests.some((t) => {
      // A test written in a file of its own (a SigmaHQ regression info.yml) is touched with that file.
      if (t.location?.file && changed.has(t.location.file)) return true;
      if (changed.has(t.dataset) || changed.has(`${t.dataset}.meta.yml`)) return true;
      let dir = path.posix.dirname(t.dataset);
      while (dir && dir !== '.' && dir !== '/') {
        if (changed.has(`${dir}/dataset.yml`)) return true;
        dir = path.posix.dirname(dir);
      }
      return changed.has('dataset.yml');
    });
  });
}
