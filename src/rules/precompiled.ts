/**
 * Schema validators compiled ahead of time by scripts/build-validators.mjs (ajv's standalone code in
 * `schema/*.generated.cjs`), used only while they match the schemas on disk: each generated module
 * names its schema files (`schemaExports`, file → export) and records a hash of their texts
 * (`schemasHash`), computed here the same way. When they no longer match (a schema edited without
 * rebuilding), callers compile the schemas at run time.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { ValidateFunction } from 'ajv';
import { assetPath } from './assets.js';

const require = createRequire(import.meta.url);
const loaded = new Map<string, Map<string, ValidateFunction> | null>();

interface GeneratedModule {
  schemaExports?: Record<string, string>;
  schemasHash?: string;
  [name: string]: unknown;
}

/**
 * The validators of `generatedFile` (in `src/rules/schema/`) by schema file name, or null when the
 * module is missing, or stale: built from schema texts other than those on disk.
 */
function precompiledModule(generatedFile: string): Map<string, ValidateFunction> | null {
  const known = loaded.get(generatedFile);
  if (known !== undefined) return known;
  let result: Map<string, ValidateFunction> | null = null;
  try {
    const mod = require(assetPath('rules', 'schema', generatedFile)) as GeneratedModule;
    const hash = createHash('sha256');
    const byFile = new Map<string, ValidateFunction>();
    for (const [file, exportName] of Object.entries(mod.schemaExports ?? {})) {
      const text = readFileSync(assetPath('rules', 'schema', file), 'utf8');
      hash.update(`${file}\n${text.replace(/\r\n/g, '\n')}\n`);
      const validate = mod[exportName];
      if (typeof validate === 'function') byFile.set(file, validate as ValidateFunction);
    }
    if (byFile.size && mod.schemasHash === hash.digest('hex')) result = byFile;
  } catch {
    result = null;
  }
  loaded.set(generatedFile, result);
  return result;
}

/** The ahead-of-time validator of a schema file from `generatedFile`, or undefined (compile it then). */
export function precompiledValidator(generatedFile: string, schemaFile: string): ValidateFunction | undefined {
  return precompiledModule(generatedFile)?.get(schemaFile);
}
