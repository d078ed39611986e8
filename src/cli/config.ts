/**
 * `ruleproof.config.yml` at the repository root: every option has a default, so no file is needed.
 * The root is the nearest directory (from the working directory up) holding the config file or a
 * `.git`, else the working directory.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { LineCounter, parseDocument } from 'yaml';
import { ContentError } from '../util/diagnostics.js';

export interface RuleproofConfig {
  root: string;
  /** Where rules live (directories or globs), relative to the root. */
  rules: string[];
  /** Where datasets live, relative to the root. */
  datasets: string[];
  attackVersion: string;
  /** Per check id: error | warning | off. */
  checks: Record<string, 'error' | 'warning' | 'info' | 'off'>;
}

const DEFAULTS = { rules: ['detections'], datasets: ['datasets'], attackVersion: '18.1', checks: {} };
const KNOWN_KEYS = new Set(['rules', 'datasets', 'attack_version', 'checks']);

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
  const checks = (data.checks ?? {}) as Record<string, string>;
  for (const [id, sev] of Object.entries(checks)) {
    if (!['error', 'warning', 'info', 'off'].includes(sev)) {
      fail(0, `check "${id}" has severity "${sev}"`, 'Use one of error, warning, info, off.');
    }
  }
  return {
    root,
    rules: list('rules', DEFAULTS.rules),
    datasets: list('datasets', DEFAULTS.datasets),
    attackVersion: typeof data.attack_version === 'string' ? data.attack_version : String(data.attack_version ?? DEFAULTS.attackVersion),
    checks: checks as RuleproofConfig['checks'],
  };
}
