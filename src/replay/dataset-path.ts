/**
 * Dataset paths in tests are contributed content: a rule's test must not make CI read files outside
 * the repository (`../../etc/passwd`, an absolute path, a symbolic link that leads out). Paths are
 * judged as written and, when the file exists, by where it really is.
 */
import { realpathSync } from 'node:fs';
import path from 'node:path';

function inside(root: string, p: string): boolean {
  const rel = path.relative(root, p);
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
}

/** Why a test's dataset path is refused, or undefined when it stays inside the repository. */
export function datasetPathProblem(root: string, dataset: string): string | undefined {
  const written = dataset.replace(/\\/g, '/');
  if (written.startsWith('/') || /^[A-Za-z]:/.test(written) || path.isAbsolute(dataset)) {
    return `dataset path ${dataset} is absolute; test datasets must be inside the repository`;
  }
  const absRoot = path.resolve(root);
  const target = path.resolve(absRoot, written);
  if (!inside(absRoot, target)) return `dataset path ${dataset} leaves the repository`;
  let real: string;
  try {
    real = realpathSync(target);
  } catch {
    return undefined; // missing: reported as such by the caller
  }
  let realRoot = absRoot;
  try {
    realRoot = realpathSync(absRoot);
  } catch {
    /* keep the resolved root */
  }
  if (!inside(realRoot, real)) return `dataset path ${dataset} is a symbolic link that leads outside the repository`;
  return undefined;
}
