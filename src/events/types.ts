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
  /** How far back in event time an out-of-order event may come and still be put in order: `5m`, `90s`, or seconds. */
  reorder_window?: string | number;
  /** Most bytes a compressed dataset may decompress to (`8GiB`, `500MB`, or bytes). */
  max_decompressed_size?: string | number;
  /** Most decompressed bytes per compressed byte before a compressed dataset counts as a bomb. */
  max_compression_ratio?: number;
  /** Replay the dataset as if its first event happened at this time (ISO 8601 with a zone). */
  rebase?: string;
}

export interface ReadOptions {
  /** Repository root, for repository-relative dataset names. */
  root: string;
  /** Force a format instead of the descriptor or sniffing. */
  format?: DatasetFormat;
  /** Called for every recoverable problem (malformed line, out-of-window event, bad chunk). */
  onDiagnostic: (d: Diagnostic) => void;
  /**
   * How many events are sorted in memory before sorted runs spill to temporary files and are
   * merged (default 200,000). Bounds the memory a large dataset needs.
   */
  sortBufferLimit?: number;
  /** Where spilled runs go (default: the OS temporary directory). */
  tmpDir?: string;
  /**
   * How events are put in time order: `window` (default) streams a large dataset that is in order
   * and reorders one that is not within `reorderWindowMs`; `sort` sorts the whole dataset exactly,
   * spilling sorted runs to `tmpDir` beyond `sortBufferLimit` events.
   */
  timeOrder?: 'window' | 'sort';
  /** Reorder window in event time (default: the descriptor's `reorder_window`, else 5 minutes). */
  reorderWindowMs?: number;
  /** Datasets of at most this many events are sorted whole in memory (default 10,000). */
  wholeSortLimit?: number;
  /** Decompression limits for `.gz` and `.zip` datasets (default: the descriptor's, else 8 GiB and 200:1). */
  maxDecompressedBytes?: number;
  maxCompressionRatio?: number;
  /** Shift the dataset so its first event happens at this time (epoch ms or ISO 8601 with a zone). */
  rebase?: number | string;
  /** Literal prefiltering, passed to the reader (see `ReaderOptions.lineFilter`). */
  lineFilter?: import('./readers/types.js').LineFilter;
}

/**
 * A Windows event record as every Windows reader (EVTX, Splunk XmlWinEventLog, OTRF/NXLog JSON)
 * hands it to the normalizers: the rendered `System` element and the `EventData` values as text,
 * exactly as Windows renders them in event XML (`true`/`false`, `{GUID}` upper case, `0x…` hex).
 * The same event read from any of those sources must give the same record.
 */
export interface WindowsRecord {
  provider: string;
  providerGuid?: string;
  eventId: number;
  version?: number;
  level?: number;
  task?: number;
  opcode?: number;
  keywords?: string;
  /** ISO 8601 UTC with `Z` (`2020-09-20T21:09:08.008Z`); undefined when the source gives no UTC time. */
  timeCreated?: string;
  recordId?: number;
  activityId?: string;
  processId?: number;
  threadId?: number;
  channel: string;
  computer: string;
  /** `Security/@UserID`. */
  userSid?: string;
  /** `EventData/Data[@Name]` → text. Unnamed `Data` elements are keyed `param1`, `param2`, … */
  eventData: Record<string, string>;
  /** `UserData` as a structured value, when the event uses it instead of `EventData`. */
  userData?: Record<string, unknown>;
  /** Rendered message text, when the source carries one (NXLog `Message`). */
  message?: string;
}

/** ECS/Elasticsearch field types the engine cares about (keyword vs text, numbers, IPs, dates). */
export type FieldType =
  | 'keyword'
  | 'wildcard'
  | 'text'
  | 'match_only_text'
  | 'long'
  | 'integer'
  | 'short'
  | 'byte'
  | 'unsigned_long'
  | 'float'
  | 'double'
  | 'scaled_float'
  | 'ip'
  | 'date'
  | 'boolean'
  | 'version'
  | 'object'
  | 'flattened'
  | 'geo_point'
  | 'unknown';

export interface FieldBinding {
  /** Canonical field name (dotted path into the canonical event). */
  path: string;
  type: FieldType;
  /** Whether the field view knows the name (false: bound as written, worth a lint warning). */
  known: boolean;
  /**
   * Reads the value when it is computed rather than stored at `path` (the endgame view's
   * `subtype.create`, true for process creations); `path` then names the field it is computed from.
   */
  get?: (doc: CanonicalEvent) => unknown;
}

/**
 * A field view: how names written in a rule's schema bind to canonical fields. Applied once, at
 * compile time, never per event.
 */
export interface FieldBinder {
  readonly name: string;
  bind(name: string): FieldBinding;
}
