import path from 'node:path';

/** Repository-relative path with `/` separators, whatever the platform wrote. */
export function toPosixRelative(root: string, file: string): string {
  // A loader asks this for every file it reads: a normalised path under a normalised root is its
  // own tail, which needs none of path.resolve's and path.relative's work (POSIX only, where paths
  // compare case-sensitively; anything else takes the general way below).
  if (path.sep === '/' && file.charCodeAt(root.length) === 47 && file.startsWith(root) && isNormalRoot(root) && isNormalTail(file, root.length + 1)) {
    return file.slice(root.length + 1);
  }
  const rel = path.relative(root, path.resolve(root, file));
  return rel.split(path.sep).join('/');
}

/** Resolve a content path written with `/` (or `\`) against the repository root. */
export function resolveContentPath(root: string, contentPath: string): string {
  return path.resolve(root, contentPath.replace(/\\/g, '/'));
}

let lastRoot: string | undefined;
let lastRootNormal = false;

/** An absolute, normalised root other than `/` (path.resolve gives it back unchanged). */
function isNormalRoot(root: string): boolean {
  if (root !== lastRoot) {
    lastRoot = root;
    lastRootNormal = root.length > 1 && path.isAbsolute(root) && path.resolve(root) === root;
  }
  return lastRootNormal;
}

/** `file` from `from` on is a non-empty relative path without empty, `.` or `..` segments. */
function isNormalTail(file: string, from: number): boolean {
  if (from >= file.length) return false;
  let segmentStart = from;
  for (let i = from; i <= file.length; i++) {
    if (i < file.length && file.charCodeAt(i) !== 47) continue;
    const length = i - segmentStart;
    if (length === 0) return false;
    if (file.charCodeAt(segmentStart) === 46 && (length === 1 || (length === 2 && file.charCodeAt(segmentStart + 1) === 46))) return false;
    segmentStart = i + 1;
  }
  return true;
}
