/**
 * Rule versions kept outside the rule files: Elastic's version lock (`etc/version.lock.json`, or
 * `detection_rules/etc/version.lock.json` in Elastic's own layout), found from the rule's directory
 * up to the repository root, and ruleproof's own `ruleproof.lock.json` at the root.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { Diagnostic } from '../util/diagnostics.js';
import { toPosixRelative } from '../util/paths.js';

export const RULEPROOF_LOCK = 'ruleproof.lock.json';
const ELASTIC_LOCKS = [path.join('etc', 'version.lock.json'), path.join('detection_rules', 'etc', 'version.lock.json')];

export interface LockedVersion {
  version: number;
  /** Repository-relative path of the lock file that gave it. */
  lockFile: string;
}

type LockTable = Map<string, number>;

export class VersionLocks {
  private readonly tables = new Map<string, LockTable | null>();
  /** Problems with lock files, each reported once however many rules consult the file. */
  readonly diagnostics: Diagnostic[] = [];

  constructor(private readonly root: string) {}

  /** Per rule directory: the lock files to consult, nearest first (rules share a few directories). */
  private readonly candidates = new Map<string, string[]>();
  private readonly relative = new Map<string, string>();

  /** The version the nearest lock file gives a rule id, if any. */
  versionFor(ruleId: string, ruleAbsPath: string): LockedVersion | undefined {
    // Files are consulted in order and read only when reached, as before the list was kept.
    for (const file of this.candidatesFor(ruleAbsPath)) {
      const found = this.lookup(file, ruleId);
      if (found) return found;
    }
    return undefined;
  }

  private candidatesFor(ruleAbsPath: string): string[] {
    const ruleDir = path.dirname(ruleAbsPath);
    let files = this.candidates.get(ruleDir);
    if (files) return files;
    files = [];
    const root = path.resolve(this.root);
    let dir = path.dirname(path.resolve(ruleAbsPath));
    for (;;) {
      for (const rel of ELASTIC_LOCKS) files.push(path.join(dir, rel));
      const up = path.dirname(dir);
      if (dir === root || up === dir || !isInside(root, up)) break;
      dir = up;
    }
    files.push(path.join(root, RULEPROOF_LOCK));
    this.candidates.set(ruleDir, files);
    return files;
  }

  private lookup(file: string, ruleId: string): LockedVersion | undefined {
    const table = this.table(file);
    const version = table?.get(ruleId);
    if (version === undefined) return undefined;
    let lockFile = this.relative.get(file);
    if (lockFile === undefined) this.relative.set(file, (lockFile = toPosixRelative(this.root, file)));
    return { version, lockFile };
  }

  private table(file: string): LockTable | null {
    const cached = this.tables.get(file);
    if (cached !== undefined) return cached;
    let table: LockTable | null = null;
    if (existsSync(file)) table = this.read(file);
    this.tables.set(file, table);
    return table;
  }

  private read(file: string): LockTable | null {
    const rel = toPosixRelative(this.root, file);
    const problem = (message: string, hint: string): null => {
      this.diagnostics.push({ file: rel, line: 1, column: 1, severity: 'error', code: 'load/lock-file', message, hint });
      return null;
    };
    let data: unknown;
    try {
      data = JSON.parse(readFileSync(file, 'utf8'));
    } catch (e) {
      return problem(`version lock file cannot be read: ${(e as Error).message}`, 'Fix the JSON, or regenerate the lock file.');
    }
    // ruleproof.lock.json may wrap its entries in `rules`; Elastic's lock is the bare map.
    const entries = isRecord(data) && isRecord(data.rules) ? data.rules : data;
    if (!isRecord(entries)) return problem('version lock file must be a JSON object keyed by rule id', 'Each entry: "<rule id>": {"version": N}.');
    const table: LockTable = new Map();
    for (const [id, entry] of Object.entries(entries)) {
      const version = typeof entry === 'number' ? entry : isRecord(entry) ? entry.version : undefined;
      if (typeof version === 'number' && Number.isInteger(version) && version > 0) table.set(id, version);
      else if (id !== '$schema' && id !== 'schemaVersion') {
        problem(`version lock entry "${id}" has no positive integer "version"`, 'Each entry: "<rule id>": {"version": N}.');
      }
    }
    return table;
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isInside(root: string, dir: string): boolean {
  const rel = path.relative(root, dir);
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
}
