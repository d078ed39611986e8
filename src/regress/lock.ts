/**
 * `ruleproof.lock.json`: rule id → name, version and the sha256 of its behaviour fields (as Elastic's
 * version lock records a hash per rule). `check` says where the rules and the lock disagree;
 * `update` records the current state, bumping versions the lock itself owns (rules whose files state
 * no version and take it from this file, as Elastic's tooling bumps its lock) and refusing the others:
 * a behaviour change without a version increase must be fixed in the rule (or Elastic's lock).
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { Rule } from '../rules/model.js';
import { RULEPROOF_LOCK, VersionLocks } from '../rules/lock.js';
import { ContentError } from '../util/diagnostics.js';
import { behaviourHash } from './fields.js';
import { currentById } from './compare.js';

export interface LockEntry {
  name: string;
  version: number;
  sha256: string;
}

export interface LockFile {
  schemaVersion: 1;
  rules: Record<string, LockEntry>;
}

export type LockFindingKind = 'unlocked' | 'stale' | 'bump-required' | 'version-decreased' | 'no-version' | 'removed';

export interface LockFinding {
  id: string;
  name: string;
  file?: string;
  kind: LockFindingKind;
  message: string;
  locked?: LockEntry;
  current?: { version: number | null; sha256: string };
  /** `lock --update` can resolve it (record, or bump a version the lock owns). */
  fixable: boolean;
}

export function lockPath(root: string): string {
  return path.join(root, RULEPROOF_LOCK);
}

export function readLock(root: string): LockFile {
  const file = lockPath(root);
  if (!existsSync(file)) return { schemaVersion: 1, rules: {} };
  let data: unknown;
  try {
    data = JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    throw new ContentError({ file: RULEPROOF_LOCK, line: 1, column: 1, severity: 'error', code: 'load/lock-file', message: `${RULEPROOF_LOCK} is not JSON: ${(e as Error).message}`, hint: 'Fix it, or delete it and run `ruleproof lock --update`.' });
  }
  const rules = (data as { rules?: unknown }).rules;
  const out: LockFile = { schemaVersion: 1, rules: {} };
  if (rules && typeof rules === 'object' && !Array.isArray(rules)) {
    for (const [id, e] of Object.entries(rules as Record<string, unknown>)) {
      const entry = e as Partial<LockEntry>;
      if (typeof entry?.version === 'number') out.rules[id] = { name: String(entry.name ?? ''), version: entry.version, sha256: String(entry.sha256 ?? '') };
    }
  }
  return out;
}

export function serializeLock(lock: LockFile): string {
  const rules: Record<string, LockEntry> = {};
  for (const id of Object.keys(lock.rules).sort()) {
    const e = lock.rules[id] as LockEntry;
    rules[id] = { name: e.name, version: e.version, sha256: e.sha256 };
  }
  return JSON.stringify({ schemaVersion: 1, rules }, null, 2) + '\n';
}

/** Does the rule take its version from ruleproof.lock.json (its file states none, no Elastic lock gives one)? */
export function versionOwnedByLock(rule: Rule, root: string): boolean {
  const raw = rule.raw as { version?: unknown; rule?: { version?: unknown } } | undefined;
  if (raw?.version !== undefined || raw?.rule?.version !== undefined) return false;
  const given = new VersionLocks(root).versionFor(rule.id, rule.source.absPath);
  return !given || given.lockFile === RULEPROOF_LOCK;
}

export function checkLock(rules: readonly Rule[], lock: LockFile, root: string): LockFinding[] {
  const findings: LockFinding[] = [];
  const current = currentById(rules);
  for (const rule of [...current.values()].sort((a, b) => (a.id < b.id ? -1 : 1))) {
    const sha256 = behaviourHash(rule);
    const locked = lock.rules[rule.id];
    const base = { id: rule.id, name: rule.name, file: rule.source.file, current: { version: rule.version, sha256 } };
    if (!locked) {
      findings.push({ ...base, kind: 'unlocked', message: `not in ${RULEPROOF_LOCK}`, fixable: true });
      continue;
    }
    const owned = versionOwnedByLock(rule, root);
    const v = rule.version;
    if (v === null) {
      findings.push({ ...base, locked, kind: 'no-version', message: 'the rule has no version', fixable: owned });
    } else if (v < locked.version) {
      findings.push({ ...base, locked, kind: 'version-decreased', message: `version ${v} is below the locked ${locked.version}`, fixable: false });
    } else if (locked.sha256 !== sha256 && v === locked.version) {
      findings.push({
        ...base,
        locked,
        kind: 'bump-required',
        message: owned
          ? `behaviour changed since it was locked at version ${v}: \`ruleproof lock --update\` bumps it to ${v + 1}`
          : `behaviour changed since it was locked at version ${v}: increase the version in ${rule.source.file} (or its version lock)`,
        fixable: owned,
      });
    } else if (locked.sha256 !== sha256 || v !== locked.version || locked.name !== rule.name) {
      findings.push({ ...base, locked, kind: 'stale', message: `locked at ${locked.version}, now ${v}${locked.sha256 !== sha256 ? ' with a behaviour change' : ''}: the lock is out of date`, fixable: true });
    }
  }
  for (const id of Object.keys(lock.rules).sort()) {
    if (!current.has(id)) {
      const locked = lock.rules[id] as LockEntry;
      findings.push({ id, name: locked.name, kind: 'removed', locked, message: `locked, but no current rule has this id`, fixable: true });
    }
  }
  return findings;
}

/** The lock after `--update`, and the findings it could not resolve. */
export function updateLock(rules: readonly Rule[], lock: LockFile, root: string): { lock: LockFile; unresolved: LockFinding[]; changes: LockFinding[] } {
  const findings = checkLock(rules, lock, root);
  const next: LockFile = { schemaVersion: 1, rules: { ...lock.rules } };
  const current = currentById(rules);
  const unresolved: LockFinding[] = [];
  const changes: LockFinding[] = [];
  for (const f of findings) {
    if (!f.fixable) {
      unresolved.push(f);
      continue;
    }
    changes.push(f);
    if (f.kind === 'removed') {
      delete next.rules[f.id];
      continue;
    }
    const rule = current.get(f.id) as Rule;
    const sha256 = behaviourHash(rule);
    let version = rule.version ?? 1;
    if (f.kind === 'bump-required') version = (f.locked?.version ?? 0) + 1;
    if (f.kind === 'no-version') version = f.locked?.version ?? 1;
    next.rules[f.id] = { name: rule.name, version, sha256 };
  }
  return { lock: next, unresolved, changes };
}
