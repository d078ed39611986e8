/**
 * A Splunk content repository's macros (`macros/*.yml`, as splunk/security_content keeps them) and
 * its ruleproof settings (`ruleproof.escu.yml`), found from a detection file by walking up to the
 * nearest directory that has a `macros/` folder. Read once per repository and run.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { macroKey, type MacroDefinition, type MacroTable } from '../engine/spl/macros.js';
import type { Diagnostic } from '../util/diagnostics.js';
import { toPosixRelative } from '../util/paths.js';
import { parseYamlSource } from './yaml-source.js';
import { validateSchema } from './macros-schema.js';

export const ESCU_SETTINGS_FILE = 'ruleproof.escu.yml';

export interface AttackDataMapping {
  from: string;
  to: string;
}

export interface ContentRepository {
  /** Absolute path of the repository root (the folder holding `macros/`). */
  dir: string;
  macros: MacroTable;
  attackData: AttackDataMapping[];
  /** Problems in the macro files or settings (reported once, with the first rule that uses them). */
  diagnostics: Diagnostic[];
}

const repositories = new Map<string, ContentRepository | null>();

function isDirectory(p: string): boolean {
  try {
    return statSync(p).isDirectory();
  } catch {
    return false;
  }
}

/**
 * Per rule directory and root, the repository found for it (thousands of rules share a few
 * directories). Only found ones are kept: a folder where none was found is searched again, so a
 * `macros/` folder made later is seen, as it was before this cache.
 */
const repositoryDirs = new Map<string, string>();

/** The nearest ancestor of a rule file (not above `root`) that holds a `macros/` folder. */
export function findContentRepository(ruleAbsPath: string, root: string): string | undefined {
  const key = `${path.dirname(ruleAbsPath)}\u0000${root}`;
  const cached = repositoryDirs.get(key);
  if (cached !== undefined) return cached;
  const found = searchContentRepository(ruleAbsPath, root);
  if (found !== undefined) repositoryDirs.set(key, found);
  return found;
}

function searchContentRepository(ruleAbsPath: string, root: string): string | undefined {
  const top = path.resolve(root);
  let dir = path.dirname(path.resolve(ruleAbsPath));
  const inside = (d: string) => d === top || d.startsWith(top + path.sep);
  while (inside(dir)) {
    if (isDirectory(path.join(dir, 'macros'))) return dir;
    const up = path.dirname(dir);
    if (up === dir) break;
    dir = up;
  }
  return undefined;
}

/** The repository of a rule file, loaded (and cached); undefined when the rule is in none. */
export function contentRepositoryFor(ruleAbsPath: string, root: string): ContentRepository | undefined {
  const dir = findContentRepository(ruleAbsPath, root);
  if (!dir) return undefined;
  const key = `${dir}\u0000${root}`;
  if (!repositories.has(key)) repositories.set(key, loadContentRepository(dir, root));
  return repositories.get(key) ?? undefined;
}

/** Forget cached repositories (tests that rewrite macro files). */
export function clearContentRepositoryCache(): void {
  repositories.clear();
}

/** A macro file: `name`, `definition`, optional `arguments` (security_content's macro YAML). */
export function loadMacroFile(absPath: string, root: string): { macro?: MacroDefinition; diagnostics: Diagnostic[] } {
  const file = toPosixRelative(root, absPath);
  let text: string;
  try {
    text = readFileSync(absPath, 'utf8');
  } catch (e) {
    return { diagnostics: [{ file, line: 1, column: 1, severity: 'error', code: 'load/read-error', message: `cannot read the macro file: ${(e as Error).message}` }] };
  }
  const parsed = parseYamlSource(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text, file);
  if (!parsed.ok) return { diagnostics: parsed.diagnostics };
  const problems = validateSchema('escu-macro', parsed.source.data, file, parsed.source.positions);
  if (problems.length) return { diagnostics: problems };
  const data = parsed.source.data as { name: string; definition: string; arguments?: string[] };
  return {
    macro: { name: data.name, args: data.arguments ?? [], definition: data.definition.replace(/\r\n/g, '\n'), origin: file },
    diagnostics: [],
  };
}

function loadContentRepository(dir: string, root: string): ContentRepository {
  const diagnostics: Diagnostic[] = [];
  const macros = new Map<string, MacroDefinition>();
  const macroDir = path.join(dir, 'macros');
  const files = readdirSync(macroDir)
    .filter((f) => /\.ya?ml$/i.test(f))
    .sort();
  for (const f of files) {
    const loaded = loadMacroFile(path.join(macroDir, f), root);
    diagnostics.push(...loaded.diagnostics);
    if (loaded.macro) macros.set(macroKey(loaded.macro.name, loaded.macro.args.length), loaded.macro);
  }
  const attackData: AttackDataMapping[] = [];
  const settingsPath = path.join(dir, ESCU_SETTINGS_FILE);
  if (existsSync(settingsPath)) {
    const file = toPosixRelative(root, settingsPath);
    const parsed = parseYamlSource(readFileSync(settingsPath, 'utf8'), file);
    if (!parsed.ok) diagnostics.push(...parsed.diagnostics);
    else {
      const problems = validateSchema('escu-settings', parsed.source.data ?? {}, file, parsed.source.positions);
      if (problems.length) diagnostics.push(...problems);
      else attackData.push(...(((parsed.source.data ?? {}) as { attack_data?: AttackDataMapping[] }).attack_data ?? []));
    }
  }
  return { dir, macros, attackData, diagnostics };
}

/**
 * The default place of Splunk's attack data: `…/attack_data/master/datasets/<rest>` (the GitHub,
 * raw and LFS media URLs alike) → `datasets/attack_data/<rest>`.
 */
const DEFAULT_ATTACK_DATA = /^[a-z]+:\/\/.*?\/attack_data\/(?:master|main|develop)\/datasets\/(.+)$/i;

/**
 * Where a test's `data` is on this machine, relative to the ruleproof root: the longest matching
 * `from` of the repository's settings, else the default mapping, else (a local path) as written.
 */
export function mapAttackData(data: string, mappings: readonly AttackDataMapping[]): { path: string; mapped: boolean } {
  const best = [...mappings].filter((m) => data.startsWith(m.from)).sort((a, b) => b.from.length - a.from.length)[0];
  if (best) return { path: joinMapped(best.to, data.slice(best.from.length)), mapped: true };
  const m = DEFAULT_ATTACK_DATA.exec(data);
  if (m) return { path: `datasets/attack_data/${m[1] as string}`, mapped: true };
  return { path: data.replace(/\\/g, '/'), mapped: false };
}

function joinMapped(to: string, rest: string): string {
  const base = to.replace(/\\/g, '/');
  if (!rest) return base;
  return base.endsWith('/') ? base + rest.replace(/^\/+/, '') : `${base}/${rest.replace(/^\/+/, '')}`;
}
