/**
 * `ruleproof.config.yml` at the repository root: every option has a default, so no file is needed.
 * The root is the nearest directory (from the working directory up) holding the config file or a
 * `.git`, else the working directory.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { lazyYaml } from '../util/lazy-modules.js';
import { ContentError } from '../util/diagnostics.js';
import { bundledAttackVersion, bundledAttackVersions } from '../lint/attack/catalogue.js';

export interface RuleproofConfig {
  root: string;
  /** Where rules live (directories or globs), relative to the root. */
  rules: string[];
  /** Where datasets live, relative to the root. */
  datasets: string[];
  attackVersion: string;
  /** Per check id: error | warning | off (`warn` is read as `warning`). */
  checks: Record<string, 'error' | 'warning' | 'info' | 'off'>;
  /** Per path glob (relative to the root): check severities for the files it matches; later entries win. */
  overrides?: ConfigOverride[];
}

export interface ConfigOverride {
  files: string[];
  checks: Record<string, 'error' | 'warning' | 'info' | 'off'>;
}

const DEFAULTS = { rules: ['detections'], datasets: ['datasets'], attackVersion: '18.1', checks: {} };
const KNOWN_KEYS = new Set(['rules', 'datasets', 'attack_version', 'checks', 'overrides']);
const SEVERITY_SETTINGS = ['error', 'warning', 'warn', 'info', 'off'];

export const CONFIG_FILE = 'ruleproof.config.yml';

export function findRoot(start: string = process.cwd()): string {
  let dir = path.resolve(start);
  for (;;) {
    if (existsSync(path.join(dir, CONFIG_FILE)) || existsSync(path.join(dir, '.git'))) return dir;
    const up = path.dirname(dir);
    if (up === dir) return path.resolve(start);
    dir = up;
  }
}

export function loadConfig(root: string = findRoot()): RuleproofConfig {
  const file = path.join(root, CONFIG_FILE);
  if (!existsSync(file)) return { root, ...DEFAULTS, checks: {} };
  const { LineCounter, parseDocument } = lazyYaml();
  const lines = new LineCounter();
  const doc = parseDocument(readFileSync(file, 'utf8'), { lineCounter: lines, prettyErrors: false });
  const fail = (offset: number, message: string, hint?: string): never => {
    const pos = lines.linePos(offset);
    throw new ContentError({
      file: CONFIG_FILE,
      line: pos.line,
      column: pos.col,
      severity: 'error',
      code: 'config/invalid',
      message,
      ...(hint ? { hint } : {}),
    });
  };
  if (doc.errors.length) {
    const e = doc.errors[0];
    fail(e?.pos[0] ?? 0, `${CONFIG_FILE} is not valid YAML: ${e?.message.split('\n')[0]}`);
  }
  const data = (doc.toJS() ?? {}) as Record<string, unknown>;
  if (typeof data !== 'object' || Array.isArray(data)) fail(0, `${CONFIG_FILE} must be a mapping of options`);
  for (const key of Object.keys(data)) {
    if (!KNOWN_KEYS.has(key)) {
      const node = doc.get(key, true) as { range?: [number, number, number] } | undefined;
      fail(node?.range?.[0] ?? 0, `unknown option "${key}" in ${CONFIG_FILE}`, `Known options: ${[...KNOWN_KEYS].join(', ')}.`);
    }
  }
  const list = (key: string, dflt: string[]): string[] => {
    const v = data[key];
    if (v === undefined) return dflt;
    const arr = Array.isArray(v) ? v : [v];
    if (!arr.every((x) => typeof x === 'string')) fail(0, `option "${key}" must be a path or a list of paths`);
    return arr as string[];
  };
  const severities = (value: unknown, where: string, offset: number): RuleproofConfig['checks'] => {
    if (value === undefined || value === null) return {};
    if (typeof value !== 'object' || Array.isArray(value)) fail(offset, `${where} must be a mapping of check id to severity`);
    const out: RuleproofConfig['checks'] = {};
    for (const [id, sev] of Object.entries(value as Record<string, unknown>)) {
      if (typeof sev !== 'string' || !SEVERITY_SETTINGS.includes(sev)) {
        fail(offset, `check "${id}" has severity "${String(sev)}"`, 'Use one of error, warning (or warn), info, off.');
      }
      out[id] = sev === 'warn' ? 'warning' : (sev as RuleproofConfig['checks'][string]);
    }
    return out;
  };
  const offsetOf = (...keys: (string | number)[]): number =>
    ((doc.getIn(keys, true) as { range?: [number, number, number] } | undefined)?.range?.[0]) ?? 0;
  const checks = severities(data.checks, 'option "checks"', offsetOf('checks'));
  const overrides: ConfigOverride[] = [];
  if (data.overrides !== undefined) {
    if (!Array.isArray(data.overrides)) fail(offsetOf('overrides'), 'option "overrides" must be a list of {files, checks} entries');
    for (const [i, entry] of (data.overrides as unknown[]).entries()) {
      const at = offsetOf('overrides', i);
      if (!entry || typeof entry !== 'object' || Array.isArray(entry)) fail(at, `overrides[${i}] must be a mapping with "files" and "checks"`);
      const e = entry as Record<string, unknown>;
      for (const key of Object.keys(e)) {
        if (key !== 'files' && key !== 'checks') fail(offsetOf('overrides', i, key), `unknown key "${key}" in overrides[${i}]`, 'An override has "files" (globs) and "checks" (severities).');
      }
      const files = typeof e.files === 'string' ? [e.files] : e.files;
      if (!Array.isArray(files) || !files.length || !files.every((f) => typeof f === 'string' && f.length)) {
        fail(at, `overrides[${i}] needs "files": a path glob or a list of them`, 'For example files: ["detections/legacy/**"].');
      }
      overrides.push({ files: files as string[], checks: severities(e.checks, `overrides[${i}].checks`, offsetOf('overrides', i, 'checks')) });
    }
  }
  if (data.attack_version !== undefined && bundledAttackVersion(String(data.attack_version)) === undefined) {
    const pos = lines.linePos(offsetOf('attack_version'));
    throw new ContentError({
      file: CONFIG_FILE,
      line: pos.line,
      column: pos.col,
      severity: 'error',
      code: 'config/attack-version',
      message: `ATT&CK version "${String(data.attack_version)}" is not bundled with ruleproof (bundled: ${bundledAttackVersions().join(', ')})`,
      hint: `Set attack_version to one of: ${bundledAttackVersions().join(', ')}.`,
    });
  }
  return {
    root,
    rules: list('rules', DEFAULTS.rules),
    datasets: list('datasets', DEFAULTS.datasets),
    attackVersion: typeof data.attack_version === 'string' ? data.attack_version : String(data.attack_version ?? DEFAULTS.attackVersion),
    checks,
    ...(overrides.length ? { overrides } : {}),
  };
}
