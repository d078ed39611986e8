/** What every format loader shares: the per-file context and result, and small helpers. */
import path from 'node:path';
import type { Diagnostic } from '../util/diagnostics.js';
import type { VersionLocks } from './lock.js';
import type { Position, Rule } from './model.js';

export interface FileContext {
  root: string;
  /** Repository-relative `/` path. */
  file: string;
  absPath: string;
  locks: VersionLocks;
}

export interface FileLoad {
  rules: Rule[];
  diagnostics: Diagnostic[];
  /** The file could not be loaded (it has at least one error diagnostic). */
  failed: boolean;
}

export function failure(diagnostics: Diagnostic[]): FileLoad {
  return { rules: [], diagnostics, failed: true };
}

export function errorAt(file: string, pos: Position | undefined, code: string, message: string, hint?: string): Diagnostic {
  return {
    file,
    line: pos?.line ?? 1,
    column: pos?.column ?? 1,
    severity: 'error',
    code,
    message,
    ...(hint ? { hint } : {}),
  };
}

/** Versions kept under a `history/` folder are older versions of a rule, not its current one. */
export function isHistoricalPath(file: string): boolean {
  return file.split('/').slice(0, -1).includes('history');
}

/** Elastic writes `YYYY/MM/DD`; the model holds ISO `YYYY-MM-DD`. Anything else is kept as written. */
export function isoDate(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  const m = /^(\d{4})[/-](\d{2})[/-](\d{2})$/.exec(value.trim());
  return m ? `${m[1]}-${m[2]}-${m[3]}` : value;
}

export function stringList(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
}

export function fileStem(absPath: string): string {
  const base = path.basename(absPath);
  const dot = base.lastIndexOf('.');
  return dot > 0 ? base.slice(0, dot) : base;
}
