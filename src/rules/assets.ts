/**
 * Files the product ships beside its code (JSON Schemas, the ATT&CK catalogue). They are read from
 * `src/` whether the code runs from `src/` (tests) or from the compiled `dist/`, because `tsc` copies
 * only `.ts` output and the package ships `src/` too.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

let packageRoot: string | undefined;

export function findPackageRoot(): string {
  if (packageRoot) return packageRoot;
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (;;) {
    if (existsSync(path.join(dir, 'package.json')) && existsSync(path.join(dir, 'src'))) return (packageRoot = dir);
    const up = path.dirname(dir);
    if (up === dir) throw new Error('ruleproof: cannot find the package root (package.json beside src/)');
    dir = up;
  }
}

/** Absolute path of a shipped asset, given relative to `src/`. */
export function assetPath(...fromSrc: string[]): string {
  return path.join(findPackageRoot(), 'src', ...fromSrc);
}

export function readJsonAsset<T>(...fromSrc: string[]): T {
  return JSON.parse(readFileSync(assetPath(...fromSrc), 'utf8')) as T;
}
