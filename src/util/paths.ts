import path from 'node:path';

/** Repository-relative path with `/` separators, whatever the platform wrote. */
export function toPosixRelative(root: string, file: string): string {
  const rel = path.relative(root, path.resolve(root, file));
  return rel.split(path.sep).join('/');
}

/** Resolve a content path written with `/` (or `\`) against the repository root. */
export function resolveContentPath(root: string, contentPath: string): string {
  return path.resolve(root, contentPath.replace(/\\/g, '/'));
}
