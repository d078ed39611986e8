/**
 * Schema validators compiled ahead of time by scripts/build-validators.mjs (ajv's standalone code in
 * `schema/*.generated.cjs`), used only while they match the schemas on disk: each generated file
 * records a hash of the schema texts it was built from, computed here the same way. When they no
 * longer match (a schema edited without rebuilding), callers compile the schemas at run time.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { ValidateFunction } from 'ajv';
import { assetPath } from './assets.js';

const require = createRequire(import.meta.url);
const loaded = new Map<string, Record<string, ValidateFunction> | null>();

/** The validators of `generatedFile` (in `src/rules/schema/`), or null when they are stale or missing. */
export function precompiledValidators(generatedFile: string, schemaFiles: readonly string[]): Record<string, ValidateFunction> | null {
  const known = loaded.get(generatedFile);
  if (known !== undefined) return known;
  let result: Record<string, ValidateFunction> | null = null;
  try {
    const hash = createHash('sha256');
    for (const file of schemaFiles) {
      const text = readFileSync(assetPath('rules', 'schema', file), 'utf8');
      hash.update(`${file}\n${text.replace(/\r\n/g, '\n')}\n`);
    }
    const mod = require(assetPath('rules', 'schema', generatedFile)) as Record<string, ValidateFunction> & { schemasHash?: unknown };
    if (mod.schemasHash === hash.digest('hex')) result = mod;
  } catch {
    result = null;
  }
  loaded.set(generatedFile, result);
  return result;
}
