/**
 * The techniques each bundled dataset declares in its descriptor (`<file>.meta.yml`, `techniques:`),
 * so coverage can say which datasets exercise a technique even where no rule maps to it yet.
 */
import path from 'node:path';
import fg from 'fast-glob';
import { readDescriptor } from '../events/descriptor.js';
import { toPosixRelative } from '../util/paths.js';
import type { DatasetTechniques } from './model.js';

/** A descriptor that does not validate is skipped here: `ruleproof datasets` and replay report it. */
export async function declaredDatasetTechniques(root: string, datasetPaths: readonly string[]): Promise<DatasetTechniques[]> {
  const patterns = datasetPaths.map((p) => `${p.replace(/\\/g, '/').replace(/\/+$/, '')}/**/*.meta.{yml,yaml}`);
  const files = await fg(patterns, { cwd: root, absolute: true, onlyFiles: true, dot: false });
  const out: DatasetTechniques[] = [];
  for (const file of files) {
    let techniques: string[] | undefined;
    try {
      techniques = readDescriptor(file, root).techniques;
    } catch {
      continue;
    }
    if (!techniques?.length) continue;
    const datasetFile = file.replace(/\.meta\.ya?ml$/, '');
    out.push({ path: toPosixRelative(root, path.resolve(datasetFile)), techniques: [...techniques].sort() });
  }
  return out.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}
