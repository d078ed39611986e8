/** `lint --fix`: write the ATT&CK fixes into the rule files, then lint what was written. */
import { writeFileSync } from 'node:fs';
import { computeFixes } from '../lint/fix.js';
import { loadAttackCatalogue } from '../lint/attack/catalogue.js';
import type { LoadResult } from '../rules/model.js';
import { ContentError } from '../util/diagnostics.js';
import type { CliIO } from './main.js';

/** How many values were fixed, or -1 when the fixes could not be made (an unknown ATT&CK version, an unwritable file). */
export function fixRuleFiles(io: CliIO, loaded: LoadResult, attackVersion: string): number {
  let catalogue;
  try {
    catalogue = loadAttackCatalogue(attackVersion);
  } catch (e) {
    if (e instanceof ContentError) {
      io.stderr(`ruleproof: ${e.diagnostic.message}${e.diagnostic.hint ? ` (${e.diagnostic.hint})` : ''}\n`);
      return -1;
    }
    throw e;
  }
  let count = 0;
  for (const file of computeFixes(loaded.rules, catalogue)) {
    try {
      writeFileSync(file.absPath, file.fixed);
    } catch (err) {
      io.stderr(`ruleproof: cannot write ${file.file}: ${(err as Error).message}\n`);
      return -1;
    }
    for (const fix of file.fixes) io.stderr(`fixed ${file.file}:${fix.line}:${fix.column}: ${fix.description}\n`);
    count += file.fixes.length;
  }
  io.stderr(`ruleproof: --fix: ${count ? `${count} value(s) fixed` : 'nothing to fix'}\n`);
  return count;
}
