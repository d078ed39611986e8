/**
 * A findings baseline: the lint findings a repository already had when it adopted ruleproof, so
 * that the gate fails only on new ones. A finding is keyed by file, check id and message, not by
 * line, so edits elsewhere in a file do not resurrect old findings; keys carry a count, so a
 * second identical finding in the same file is new.
 */
import type { Diagnostic } from '../util/diagnostics.js';

export const BASELINE_KIND = 'ruleproof-lint-baseline';

export interface BaselineEntry {
  file: string;
  code: string;
  message: string;
  count: number;
}

export interface FindingsBaseline {
  kind: typeof BASELINE_KIND;
  version: 1;
  findings: BaselineEntry[];
}

const keyOf = (d: { file: string; code: string; message: string }): string => `${d.file}\u0000${d.code}\u0000${d.message}`;

export function buildBaseline(findings: readonly Diagnostic[]): FindingsBaseline {
  const counts = new Map<string, BaselineEntry>();
  for (const d of findings) {
    const key = keyOf(d);
    const entry = counts.get(key);
    if (entry) entry.count++;
    else counts.set(key, { file: d.file, code: d.code, message: d.message, count: 1 });
  }
  const entries = [...counts.values()].sort((a, b) => (keyOf(a) < keyOf(b) ? -1 : keyOf(a) > keyOf(b) ? 1 : 0));
  return { kind: BASELINE_KIND, version: 1, findings: entries };
}

export function serializeBaseline(baseline: FindingsBaseline): string {
  return JSON.stringify(baseline, null, 2) + '\n';
}

/** The document as a baseline, or the reason it is not one. */
export function parseBaseline(doc: unknown): FindingsBaseline | string {
  if (!doc || typeof doc !== 'object' || (doc as { kind?: unknown }).kind !== BASELINE_KIND) return `not a findings baseline (no "kind": "${BASELINE_KIND}")`;
  const { version, findings } = doc as { version?: unknown; findings?: unknown };
  if (version !== 1) return `findings baseline version ${String(version)} is not supported (expected 1)`;
  if (!Array.isArray(findings)) return 'a findings baseline needs a "findings" list';
  for (const [i, e] of findings.entries()) {
    const ok = e && typeof e === 'object' && typeof e.file === 'string' && typeof e.code === 'string' && typeof e.message === 'string' && Number.isInteger(e.count) && e.count > 0;
    if (!ok) return `findings[${i}] must have file, code, message (strings) and count (a positive integer)`;
  }
  return doc as FindingsBaseline;
}

export interface BaselineResult {
  /** Findings the baseline does not account for: these gate. */
  fresh: Diagnostic[];
  /** How many findings the baseline absorbed. */
  known: number;
  /** Baseline entries (with remaining counts) that no longer occur: fixed since the baseline was written. */
  fixed: BaselineEntry[];
}

export function applyBaseline(findings: readonly Diagnostic[], baseline: FindingsBaseline): BaselineResult {
  const remaining = new Map<string, BaselineEntry>();
  for (const e of baseline.findings) {
    const key = keyOf(e);
    const prev = remaining.get(key);
    remaining.set(key, { ...e, count: e.count + (prev?.count ?? 0) });
  }
  const fresh: Diagnostic[] = [];
  let known = 0;
  for (const d of findings) {
    const entry = remaining.get(keyOf(d));
    if (entry && entry.count > 0) {
      entry.count--;
      known++;
    } else fresh.push(d);
  }
  const fixed = [...remaining.values()].filter((e) => e.count > 0);
  return { fresh, known, fixed };
}
