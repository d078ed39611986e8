/**
 * The canonical event (DESIGN.md, "Canonical event") and the stream that carries it to the engine.
 */
import type { Diagnostic } from '../util/diagnostics.js';

/**
 * One event shaped as Elastic's Windows integration would index it: nested objects
 * (`{process: {name: ...}}`), ECS fields plus the raw record under `winlog.*`. Values are
 * strings, numbers, booleans, arrays of those, or nested objects. Never `undefined` or `null`
 * leaves: a field that has no value is absent.
 */
export type CanonicalEvent = Record<string, unknown>;

/** A canonical event as replayed: the document plus what identifies and orders it. */
export interface ReplayEvent {
  doc: CanonicalEvent;
  /** Event time in epoch milliseconds (from `@timestamp`); NaN when the record has none. */
  timestamp: number;
  /**
   * Stable identity of the record inside its dataset: `record:<EventRecordID>` when the source
   * has record numbers, else `line:<n>` (1-based line of the dataset file), else `offset:<n>`.
   */
  key: string;
  /** Repository-relative path of the dataset file (`/` separators). */
  dataset: string;
  /** 0-based position of the record in its file: the tie-breaker for equal timestamps. */
  ordinal: number;
}

export type DatasetFormat =
  | 'otrf-json'
  | 'ecs-ndjson'
  | 'evtx'
  | 'sysmon-xml'
  | 'json-array';

/** `<file>.meta.yml` or a folder's `dataset.yml` (DESIGN.md, "Dataset descriptor"). */
export interface DatasetDescriptor {
  format?: DatasetFormat;
  source?: string;
  sourcetype?: string;
  channel?: string;
  /** IANA zone or fixed offset (`-04:00`) for formats that write local time. */
  timezone?: string;
  techniques?: string[];
  origin?: string;
  license?: string;
  synthetic?: boolean;
  description?: string;
}

export interface ReadOptions {
  /** Repository root, for repository-relative dataset names. */
  root: string;
  /** Force a format instead of the descriptor or sniffing. */
  format?: DatasetFormat;
  /** Called for every recoverable problem (malformed line, out-of-window event, bad chunk). */
  onDiagnostic: (d: Diagnostic) => void;
}
