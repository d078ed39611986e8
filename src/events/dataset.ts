/**
 * Opening a dataset: find and validate its descriptor, know its format (descriptor, forced, or
 * sniffed from the first bytes), stream its records through the right reader, normalize them and
 * replay them in time order with bounded memory (DESIGN.md, "Dataset descriptor", "Canonical event").
 */
import { closeSync, openSync, readSync, statSync } from 'node:fs';
import path from 'node:path';
import { ContentError, type Diagnostic } from '../util/diagnostics.js';
import { resolveContentPath, toPosixRelative } from '../util/paths.js';
import { descriptorPathFor, readDescriptor } from './descriptor.js';
import { getField } from './fields.js';
import { normalizeRecord } from './normalize/index.js';
import { readEcsNdjsonRecords } from './readers/ecs-ndjson.js';
import { readJsonArrayRecords } from './readers/json-array.js';
import { looksLikeOtrf, readOtrfJsonRecords } from './readers/otrf-json.js';
import type { RawRecord, RecordReader } from './readers/types.js';
import { DEFAULT_SORT_BUFFER_LIMIT, sortByTime } from './sort.js';
import type { DatasetDescriptor, DatasetFormat, ReadOptions, ReplayEvent } from './types.js';

export const DATASET_FORMATS: readonly DatasetFormat[] = ['otrf-json', 'ecs-ndjson', 'evtx', 'sysmon-xml', 'json-array'];

export interface OpenedDataset {
  /** Absolute path of the file. */
  absPath: string;
  /** Repository-relative path (`/` separators): what diagnostics and events name. */
  file: string;
  format: DatasetFormat;
  descriptor: DatasetDescriptor;
  /** Repository-relative path of the descriptor, when there is one. */
  descriptorFile?: string;
  /** How the format was chosen. */
  formatFrom: 'option' | 'descriptor' | 'sniffed';
}

function datasetError(file: string, code: string, message: string, hint?: string): ContentError {
  const d: Diagnostic = { file, line: 0, column: 0, severity: 'error', code, message, ...(hint ? { hint } : {}) };
  return new ContentError(d);
}

/** The first bytes of a file (at most `max`). */
function head(absPath: string, max = 65536): Buffer {
  const fd = openSync(absPath, 'r');
  try {
    const buf = Buffer.alloc(max);
    const n = readSync(fd, buf, 0, max, 0);
    return buf.subarray(0, n);
  } finally {
    closeSync(fd);
  }
}

/** Keys that mark an object as an ECS document (nested or dotted). */
function looksLikeEcs(obj: Record<string, unknown>): boolean {
  for (const key of Object.keys(obj)) {
    const top = key.split('.')[0] as string;
    if (top === 'winlog' || top === 'ecs' || top === '@timestamp' || top === '_source' || top === 'event' || top === 'data_stream') return true;
  }
  return false;
}

/** The format of a dataset from its first bytes; throws a ContentError when it cannot tell. */
export function sniffFormat(absPath: string, file: string): DatasetFormat | 'empty' {
  const bytes = head(absPath);
  if (bytes.subarray(0, 8).equals(Buffer.from('ElfFile\0', 'latin1'))) return 'evtx';
  if (bytes[0] === 0x1f && bytes[1] === 0x8b) {
    throw datasetError(file, 'dataset/unsupported-format', 'the dataset is gzip-compressed, which ruleproof cannot read yet', 'Decompress it (gunzip) and point the test at the result.');
  }
  if (bytes[0] === 0x50 && bytes[1] === 0x4b && bytes[2] === 0x03 && bytes[3] === 0x04) {
    throw datasetError(file, 'dataset/unsupported-format', 'the dataset is a zip archive, which ruleproof cannot read yet', 'Extract the archive and point the test at the extracted file.');
  }
  let text = bytes.toString('utf8');
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  if (text.startsWith('version https://git-lfs.github.com/spec/')) {
    throw datasetError(file, 'dataset/lfs-pointer', 'the dataset is a Git LFS pointer file, not the data itself', 'Run `git lfs pull` to fetch the real file.');
  }
  const trimmed = text.trimStart();
  if (trimmed === '') return 'empty';
  const first = trimmed[0];
  if (first === '<') return 'sysmon-xml';
  if (first === '[') return 'json-array';
  if (first === '{') {
    const line = trimmed.split(/\r?\n/, 1)[0] as string;
    let obj: Record<string, unknown> | undefined;
    try {
      const v: unknown = JSON.parse(line);
      if (v && typeof v === 'object' && !Array.isArray(v)) obj = v as Record<string, unknown>;
    } catch {
      obj = undefined;
    }
    if (obj && looksLikeOtrf(obj)) return 'otrf-json';
    if (obj && looksLikeEcs(obj)) return 'ecs-ndjson';
    throw datasetError(
      file,
      'dataset/unknown-format',
      obj ? 'cannot tell the dataset format: the first JSON line is neither an ECS document (winlog, ecs, @timestamp) nor an OTRF/NXLog event (EventID, SourceName)' : 'cannot tell the dataset format: the first line is not a JSON object',
      `Add a descriptor ${path.basename(file)}.meta.yml with \`format:\` (one of ${DATASET_FORMATS.join(', ')}).`,
    );
  }
  throw datasetError(file, 'dataset/unknown-format', 'cannot tell the dataset format from its first bytes', `Add a descriptor ${path.basename(file)}.meta.yml with \`format:\` (one of ${DATASET_FORMATS.join(', ')}).`);
}

/** Resolve, check and describe a dataset file without reading its records. */
export function resolveDataset(file: string, options: Pick<ReadOptions, 'root' | 'format'>): OpenedDataset & { empty: boolean } {
  const absPath = path.isAbsolute(file) ? path.normalize(file) : resolveContentPath(options.root, file);
  const rel = toPosixRelative(options.root, absPath);
  let isFile = false;
  try {
    isFile = statSync(absPath).isFile();
  } catch {
    throw datasetError(rel, 'dataset/missing', `dataset file not found: ${rel}`, 'Check the path: dataset paths are relative to the repository root and use / separators. Copy the dataset under datasets/ if it lives elsewhere.');
  }
  if (!isFile) throw datasetError(rel, 'dataset/missing', `${rel} is not a file`, 'A test names one dataset file, not a folder.');
  const descriptorAbs = descriptorPathFor(absPath);
  const descriptor = descriptorAbs ? readDescriptor(descriptorAbs, options.root) : {};
  let format: DatasetFormat;
  let formatFrom: OpenedDataset['formatFrom'];
  let empty = false;
  if (options.format) {
    format = options.format;
    formatFrom = 'option';
  } else if (descriptor.format) {
    format = descriptor.format;
    formatFrom = 'descriptor';
  } else {
    const sniffed = sniffFormat(absPath, rel);
    empty = sniffed === 'empty';
    format = sniffed === 'empty' ? 'ecs-ndjson' : sniffed;
    formatFrom = 'sniffed';
  }
  return {
    absPath,
    file: rel,
    format,
    descriptor,
    ...(descriptorAbs ? { descriptorFile: toPosixRelative(options.root, descriptorAbs) } : {}),
    formatFrom,
    empty,
  };
}

/**
 * Readers of formats another module implements (EVTX, Splunk XML) are loaded on first use, so
 * this module works, and reports a clear error, when one of them is not built.
 */
const LAZY_READERS: Partial<Record<DatasetFormat, { module: string; name: string }>> = {
  evtx: { module: './readers/evtx/index.js', name: 'readEvtxRecords' },
  'sysmon-xml': { module: './readers/splunk-xml.js', name: 'readSplunkXmlRecords' },
};

export async function readerFor(format: DatasetFormat, file: string): Promise<RecordReader> {
  switch (format) {
    case 'otrf-json':
      return readOtrfJsonRecords;
    case 'ecs-ndjson':
      return readEcsNdjsonRecords;
    case 'json-array':
      return readJsonArrayRecords;
    default: {
      const lazy = LAZY_READERS[format];
      if (!lazy) throw datasetError(file, 'dataset/unsupported-format', `unsupported format "${format}"`, `Supported formats: ${DATASET_FORMATS.join(', ')}.`);
      let mod: Record<string, unknown>;
      try {
        const specifier: string = lazy.module;
        mod = (await import(specifier)) as Record<string, unknown>;
      } catch (err) {
        const code = (err as { code?: string }).code;
        if (code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND') {
          throw datasetError(file, 'dataset/unsupported-format', `unsupported format "${format}": this build of ruleproof has no ${format} reader`, 'Convert the dataset to a supported format, or use a ruleproof version that reads it.');
        }
        throw err;
      }
      const reader = mod[lazy.name];
      if (typeof reader !== 'function') {
        throw datasetError(file, 'dataset/unsupported-format', `unsupported format "${format}": the ${format} reader is not available`);
      }
      return reader as RecordReader;
    }
  }
}

/** The raw records of a dataset, before normalization (`ruleproof events --raw`), in file order. */
export async function* openRawRecords(file: string, options: ReadOptions): AsyncGenerator<RawRecord> {
  const ds = resolveDataset(file, options);
  if (ds.empty) {
    options.onDiagnostic({ file: ds.file, line: 0, column: 0, severity: 'warning', code: 'dataset/empty', message: `${ds.file} is empty: no events` });
    return;
  }
  const reader = await readerFor(ds.format, ds.file);
  const timezone = ds.descriptor.timezone;
  yield* reader(ds.absPath, { file: ds.file, onDiagnostic: options.onDiagnostic, ...(timezone ? { timezone } : {}), ...(options.lineFilter ? { lineFilter: options.lineFilter } : {}) });
}

/**
 * A key that is unique inside the file and stable across runs: `line:<n>` for line-based formats,
 * `record:<EventRecordID>` for EVTX, else `offset:<n>`. Record numbers are only unique per channel
 * and computer, and the text formats mix hosts and channels (one OTRF capture repeats 201 record
 * numbers), so they identify an event only in a file that holds one log.
 */
export function recordKey(raw: RawRecord, doc: Record<string, unknown>): string {
  if (raw.line > 0) return `line:${raw.line}`;
  if (raw.kind === 'windows' && raw.record.recordId !== undefined) return `record:${raw.record.recordId}`;
  if (raw.kind === 'document') {
    const id = getField(doc, 'winlog.record_id');
    if (typeof id === 'string' || typeof id === 'number') return `record:${id}`;
  }
  if (raw.offset !== undefined) return `offset:${raw.offset}`;
  return `ordinal:${raw.ordinal}`;
}

/** Normalized events in file order (no sorting). */
async function* normalizedEvents(file: string, options: ReadOptions, rel: { file?: string }, stats: { untimed: number }): AsyncGenerator<ReplayEvent> {
  for await (const raw of openRawRecords(file, options)) {
    const { doc, timestamp } = normalizeRecord(raw);
    if (Number.isNaN(timestamp)) stats.untimed++;
    yield { doc, timestamp, key: recordKey(raw, doc), dataset: rel.file as string, ordinal: raw.ordinal };
  }
}

/**
 * The canonical events of a dataset in (timestamp, ordinal) order. `file` is repository-relative
 * (to `options.root`) or absolute. A missing file, a bad descriptor or an unreadable format throws
 * a ContentError; malformed lines and other recoverable problems go to `options.onDiagnostic`.
 */
export async function* openDataset(file: string, options: ReadOptions): AsyncGenerator<ReplayEvent> {
  const ds = resolveDataset(file, options);
  const stats = { untimed: 0 };
  const events = normalizedEvents(ds.absPath, options, { file: ds.file }, stats);
  yield* sortByTime(events, ds.file, options.sortBufferLimit ?? DEFAULT_SORT_BUFFER_LIMIT, options.tmpDir);
  if (stats.untimed) {
    options.onDiagnostic({
      file: ds.file,
      line: 0,
      column: 0,
      severity: 'warning',
      code: 'dataset/no-timestamp',
      message: `${stats.untimed} event(s) have no timestamp; they were replayed first, in file order`,
      hint: 'For formats that write local time, set `timezone:` in the dataset descriptor.',
    });
  }
}

export interface EventIdCount {
  id: string;
  count: number;
}

export interface DatasetDescription {
  file: string;
  format: DatasetFormat;
  descriptor: DatasetDescriptor;
  descriptorFile?: string;
  events: number;
  warnings: number;
  /** ISO 8601 UTC, undefined when no event has a time. */
  firstTimestamp?: string;
  lastTimestamp?: string;
  hosts: string[];
  channels: string[];
  /** Event codes sorted numerically (then as text), with how many events carry each. */
  eventIds: EventIdCount[];
}

function compareIds(a: string, b: string): number {
  const na = Number(a);
  const nb = Number(b);
  if (Number.isFinite(na) && Number.isFinite(nb) && na !== nb) return na - nb;
  return a < b ? -1 : a > b ? 1 : 0;
}

/** One pass over a dataset: format, counts, time span, hosts, channels and event IDs. */
export async function describeDataset(file: string, options: ReadOptions): Promise<DatasetDescription> {
  const ds = resolveDataset(file, options);
  let warnings = 0;
  const inner: ReadOptions = {
    ...options,
    onDiagnostic: (d) => {
      if (d.severity !== 'info') warnings++;
      options.onDiagnostic(d);
    },
  };
  let events = 0;
  let first = Infinity;
  let last = -Infinity;
  const hosts = new Set<string>();
  const channels = new Set<string>();
  const ids = new Map<string, number>();
  for await (const raw of openRawRecords(ds.absPath, inner)) {
    const { doc, timestamp } = normalizeRecord(raw);
    events++;
    if (Number.isFinite(timestamp)) {
      if (timestamp < first) first = timestamp;
      if (timestamp > last) last = timestamp;
    }
    const host = getField(doc, 'winlog.computer_name') ?? getField(doc, 'host.name');
    if (typeof host === 'string' && host) hosts.add(host);
    const channel = getField(doc, 'winlog.channel');
    if (typeof channel === 'string' && channel) channels.add(channel);
    const code = getField(doc, 'event.code') ?? getField(doc, 'winlog.event_id');
    if (typeof code === 'string' || typeof code === 'number') ids.set(String(code), (ids.get(String(code)) ?? 0) + 1);
  }
  return {
    file: ds.file,
    format: ds.format,
    descriptor: ds.descriptor,
    ...(ds.descriptorFile ? { descriptorFile: ds.descriptorFile } : {}),
    events,
    warnings,
    ...(Number.isFinite(first) ? { firstTimestamp: new Date(first).toISOString(), lastTimestamp: new Date(last).toISOString() } : {}),
    hosts: [...hosts].sort(),
    channels: [...channels].sort(),
    eventIds: [...ids.entries()].sort((a, b) => compareIds(a[0], b[0])).map(([id, count]) => ({ id, count })),
  };
}
