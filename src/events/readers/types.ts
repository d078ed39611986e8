/**
 * What every dataset reader yields before normalization. Windows sources (EVTX, Splunk
 * XmlWinEventLog, OTRF/NXLog JSON) yield `WindowsRecord`s that a log-source normalizer turns into
 * canonical events; already-normalized sources (ECS/winlogbeat NDJSON) yield documents.
 */
import type { Diagnostic } from '../../util/diagnostics.js';
import type { WindowsRecord } from '../types.js';

interface RawBase {
  /** 1-based line of the record's first line in the file (text formats); 0 for binary formats. */
  line: number;
  /** 0-based position of the record in the file. */
  ordinal: number;
  /** Byte offset of the record (binary formats; optional for text). */
  offset?: number;
  /** The zip member the record comes from (`logs/sysmon.json`); absent for a plain or `.gz` file. */
  member?: string;
}

export interface WindowsRawRecord extends RawBase {
  kind: 'windows';
  record: WindowsRecord;
}

export interface DocumentRawRecord extends RawBase {
  kind: 'document';
  /** The parsed JSON document, as written (nested or dotted keys). */
  doc: Record<string, unknown>;
}

export type RawRecord = WindowsRawRecord | DocumentRawRecord;

export interface ReaderOptions {
  /** Repository-relative `/` path of the file, for diagnostics. */
  file: string;
  /** Recoverable problems (malformed line, bad chunk): reported, then the reader goes on. */
  onDiagnostic: (d: Diagnostic) => void;
  /** IANA zone or fixed offset for sources that write local time without a zone. */
  timezone?: string;
  /**
   * Literal prefiltering (`src/engine/prefilter.ts`): a raw line it rejects holds no event any rule
   * can match, and is skipped unparsed. Only readers whose documents reach the engine as written
   * (ECS NDJSON) apply it; the others ignore it.
   */
  lineFilter?: LineFilter;
  /**
   * The dataset's bytes, when they are not the file at `absPath` as it is: a `.gz` file or a zip
   * member, decompressed as it streams. Readers read from it instead of opening `absPath` (which
   * then names the container, for messages only).
   */
  openContent?: () => AsyncIterable<Uint8Array>;
}

export interface LineFilter {
  /** Whether the line (UTF-8 bytes `[start, end)`, without its line break) must be read. */
  test(bytes: Uint8Array, start: number, end: number): boolean;
  /** The chunk-wide form of `test` (see `RawLineFilter.keepPositions`), when the filter has one. */
  keepPositions?(bytes: Uint8Array, start: number, end: number, latin1?: string): number[] | undefined;
  /** Told about every non-blank line skipped (so event counts stay exact). */
  onSkip?: (line: number) => void;
}

/** A reader streams one file; it never loads a whole large file into memory. */
export type RecordReader = (absPath: string, options: ReaderOptions) => AsyncGenerator<RawRecord>;
