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
import { readEcsNdjsonBatches, readEcsNdjsonRecords } from './readers/ecs-ndjson.js';
import { readJsonArrayRecords } from './readers/json-array.js';
import { looksLikeOtrf, readOtrfJsonBatches, readOtrfJsonRecords } from './readers/otrf-json.js';
import type { RawRecord, RecordReader } from './readers/types.js';
import {
  DEFAULT_DECOMPRESSION_LIMITS,
  DecompressionBudget,
  containerKind,
  gunzipFile,
  headOf,
  isDataMember,
  listZipMembers,
  parseByteSize,
  readZipMember,
  type ContainerKind,
  type DecompressionLimits,
} from './containers.js';
import { DEFAULT_LOOKAHEAD, DEFAULT_WHOLE_SORT_LIMIT, mergeOrdered, orderBatchesByTime, parseDuration, parseRebaseTime, rebaseBatches } from './order.js';
import { DEFAULT_SORT_BUFFER_LIMIT, sortByTime } from './sort.js';
import { currentDefaults } from './reading-defaults.js';
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
  /** How the format was chosen (for a compressed file: of its content, once known). */
  formatFrom: 'option' | 'descriptor' | 'sniffed';
  /** `gzip` or `zip` when the file is compressed; `format` is then that of its content. */
  container?: ContainerKind;
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

/**
 * The format of content from its first bytes; throws a ContentError when it cannot tell. `where`
 * names the content in messages (a zip member), `file` the dataset.
 */
export function sniffBytes(bytes: Buffer, file: string, where = file): DatasetFormat | 'empty' {
  if (bytes.subarray(0, 8).equals(Buffer.from('ElfFile\0', 'latin1'))) return 'evtx';
  const nested = containerKind(bytes);
  if (nested) {
    throw datasetError(file, 'dataset/unsupported-format', `${where} is ${nested === 'gzip' ? 'gzip-compressed' : 'a zip archive'} inside a compressed dataset, which ruleproof does not unpack`, 'Compress the dataset only once (one .gz file, or a .zip of plain files).');
  }
  let text = bytes.toString('utf8');
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  if (text.startsWith('version https://git-lfs.github.com/spec/')) {
    throw datasetError(file, 'dataset/lfs-pointer', `${where === file ? 'the dataset' : where} is a Git LFS pointer file, not the data itself`, 'Run `git lfs pull` to fetch the real file.');
  }
  // UTF-16 XML exports (wevtutil) start with a byte-order mark.
  if ((bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff)) return 'sysmon-xml';
  const trimmed = text.trimStart();
  if (trimmed === '') return 'empty';
  const first = trimmed[0];
  if (first === '<') return 'sysmon-xml';
  if (first === '[') return 'json-array';
  const hint = `Add a descriptor ${path.basename(file)}.meta.yml with \`format:\` (one of ${DATASET_FORMATS.join(', ')}).`;
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
    const subject = where === file ? 'the dataset format' : `the format of ${where}`;
    throw datasetError(
      file,
      'dataset/unknown-format',
      obj ? `cannot tell ${subject}: the first JSON line is neither an ECS document (winlog, ecs, @timestamp) nor an OTRF/NXLog event (EventID, SourceName)` : `cannot tell ${subject}: the first line is not a JSON object`,
      hint,
    );
  }
  throw datasetError(file, 'dataset/unknown-format', `cannot tell ${where === file ? 'the dataset format' : `the format of ${where}`} from its first bytes`, hint);
}

/**
 * The format of a dataset file from its first bytes, or the container it is compressed in (whose
 * content is sniffed as it is opened); throws a ContentError when it cannot tell.
 */
export function sniffFormat(absPath: string, file: string): DatasetFormat | 'empty' | ContainerKind {
  const bytes = head(absPath);
  return containerKind(bytes) ?? sniffBytes(bytes, file);
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
  const container = containerKind(head(absPath, 4));
  if (options.format) {
    format = options.format;
    formatFrom = 'option';
  } else if (descriptor.format) {
    format = descriptor.format;
    formatFrom = 'descriptor';
  } else if (container) {
    // Known once the content is opened (each zip member may have its own).
    format = 'ecs-ndjson';
    formatFrom = 'sniffed';
  } else {
    const sniffed = sniffFormat(absPath, rel) as DatasetFormat | 'empty';
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
    ...(container ? { container } : {}),
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

/** Records a batch at a time: the format's own batch reader, else its reader's records grouped. */
export type RecordBatchReader = (absPath: string, options: Parameters<RecordReader>[1]) => AsyncGenerator<RawRecord[]>;

/** Items per batch where a stage groups one-by-one items (readers without a batch form, sorting, merging). */
const BATCH_SIZE = 256;

export async function batchReaderFor(format: DatasetFormat, file: string): Promise<RecordBatchReader> {
  if (format === 'ecs-ndjson') return readEcsNdjsonBatches;
  if (format === 'otrf-json') return readOtrfJsonBatches;
  const reader = await readerFor(format, file);
  return (absPath, options) => batched(reader(absPath, options));
}

/** The decompression limits of a dataset: read options, else its descriptor, else the defaults. */
export function decompressionLimits(descriptor: DatasetDescriptor, options: Pick<ReadOptions, 'maxDecompressedBytes' | 'maxCompressionRatio'>): DecompressionLimits {
  const fromDescriptor = descriptor.max_decompressed_size !== undefined ? parseByteSize(descriptor.max_decompressed_size) : undefined;
  return {
    maxBytes: options.maxDecompressedBytes ?? fromDescriptor ?? DEFAULT_DECOMPRESSION_LIMITS.maxBytes,
    maxRatio: options.maxCompressionRatio ?? descriptor.max_compression_ratio ?? DEFAULT_DECOMPRESSION_LIMITS.maxRatio,
  };
}

/**
 * One stream of records of a dataset: the file itself, its gunzipped content, or one member of a
 * zip archive, with the format of that stream.
 */
export interface DatasetPart {
  format: DatasetFormat;
  /** Zip member name. */
  member?: string;
  /** Position of the part in the dataset (zip members in directory order). */
  index: number;
  openContent?: () => AsyncIterable<Uint8Array>;
}

const MEMBER_ORDINAL_STRIDE = 2 ** 32;

/** The parts of a dataset; empty parts are reported (warning `dataset/empty`) and left out. */
export async function datasetParts(ds: OpenedDataset & { empty: boolean }, options: ReadOptions): Promise<DatasetPart[]> {
  const emptyWarning = (what: string): void =>
    options.onDiagnostic({ file: ds.file, line: 0, column: 0, severity: 'warning', code: 'dataset/empty', message: `${what} is empty: no events` });
  const fixedFormat = ds.formatFrom === 'sniffed' ? undefined : ds.format;
  if (!ds.container) {
    if (ds.empty) {
      emptyWarning(ds.file);
      return [];
    }
    return [{ format: ds.format, index: 0 }];
  }
  const budget = new DecompressionBudget(ds.file, decompressionLimits(ds.descriptor, options));
  // Sniffing reads a few KiB again; it does not count against the dataset's budget.
  const sniffBudget = (): DecompressionBudget => new DecompressionBudget(ds.file, { maxBytes: DEFAULT_DECOMPRESSION_LIMITS.maxBytes, maxRatio: Infinity });
  const quiet = (): void => {};
  if (ds.container === 'gzip') {
    let format = fixedFormat;
    if (!format) {
      const sniffed = sniffBytes(await headOf(gunzipFile(ds.absPath, sniffBudget(), quiet)), ds.file, `the content of ${ds.file}`);
      if (sniffed === 'empty') {
        emptyWarning(ds.file);
        return [];
      }
      format = sniffed;
    }
    return [{ format, index: 0, openContent: () => gunzipFile(ds.absPath, budget, options.onDiagnostic) }];
  }
  const members = (await listZipMembers(ds.absPath, ds.file)).filter((m) => isDataMember(m.name));
  const declared = members.reduce((sum, m) => sum + m.size, 0);
  if (declared > budget.limits.maxBytes) {
    throw new ContentError({
      file: ds.file,
      line: 0,
      column: 0,
      severity: 'error',
      code: 'dataset/decompression-limit',
      message: `the zip archive declares ${declared} bytes of content, more than the ${budget.limits.maxBytes}-byte limit for one dataset; not read`,
      hint: 'If the archive is genuine, raise the limit with `max_decompressed_size:` in the dataset descriptor.',
    });
  }
  const parts: DatasetPart[] = [];
  for (const member of members) {
    if (member.size === 0) {
      emptyWarning(`zip member ${member.name}`);
      continue;
    }
    let format = fixedFormat;
    if (!format) {
      const sniffed = sniffBytes(await headOf(readZipMember(ds.absPath, member, sniffBudget(), quiet)), ds.file, `zip member ${member.name}`);
      if (sniffed === 'empty') {
        emptyWarning(`zip member ${member.name}`);
        continue;
      }
      format = sniffed;
    }
    parts.push({ format, member: member.name, index: parts.length, openContent: () => readZipMember(ds.absPath, member, budget, options.onDiagnostic) });
  }
  if (!parts.length && !members.length) emptyWarning(`the zip archive ${ds.file}`);
  return parts;
}

async function* partRecords(ds: OpenedDataset, part: DatasetPart, options: ReadOptions): AsyncGenerator<RawRecord> {
  for await (const batch of partRecordBatches(ds, part, options)) yield* batch;
}

async function* partRecordBatches(ds: OpenedDataset, part: DatasetPart, options: ReadOptions): AsyncGenerator<RawRecord[]> {
  const reader = await batchReaderFor(part.format, ds.file);
  const timezone = ds.descriptor.timezone;
  const batches = reader(ds.absPath, {
    file: ds.file,
    onDiagnostic: part.member ? (d) => options.onDiagnostic({ ...d, message: `${part.member}: ${d.message}` }) : options.onDiagnostic,
    ...(timezone ? { timezone } : {}),
    ...(options.lineFilter ? { lineFilter: options.lineFilter } : {}),
    ...(part.openContent ? { openContent: part.openContent } : {}),
  });
  if (part.member === undefined) {
    yield* batches;
    return;
  }
  const base = part.index * MEMBER_ORDINAL_STRIDE;
  for await (const batch of batches) {
    for (const raw of batch) {
      raw.member = part.member;
      raw.ordinal += base;
    }
    yield batch;
  }
}

/**
 * The raw records of a dataset, before normalization (`ruleproof events --raw`), in file order
 * (zip members one after the other, their ordinals apart by 2^32).
 */
export async function* openRawRecords(file: string, options: ReadOptions): AsyncGenerator<RawRecord> {
  options = { ...currentDefaults(), ...options };
  const ds = resolveDataset(file, options);
  for (const part of await datasetParts(ds, options)) yield* partRecords(ds, part, options);
}

/**
 * A key that is unique inside the file and stable across runs: `line:<n>` for line-based formats,
 * `record:<EventRecordID>` for EVTX, else `offset:<n>`. Record numbers are only unique per channel
 * and computer, and the text formats mix hosts and channels (one OTRF capture repeats 201 record
 * numbers), so they identify an event only in a file that holds one log.
 */
export function recordKey(raw: RawRecord, doc: Record<string, unknown>): string {
  if (raw.member !== undefined) return `${raw.member}!${recordKeyInFile(raw, doc)}`;
  return recordKeyInFile(raw, doc);
}

function recordKeyInFile(raw: RawRecord, doc: Record<string, unknown>): string {
  if (raw.line > 0) return `line:${raw.line}`;
  if (raw.kind === 'windows' && raw.record.recordId !== undefined) return `record:${raw.record.recordId}`;
  if (raw.kind === 'document') {
    const id = getField(doc, 'winlog.record_id');
    if (typeof id === 'string' || typeof id === 'number') return `record:${id}`;
  }
  if (raw.offset !== undefined) return `offset:${raw.offset}`;
  return `ordinal:${raw.ordinal}`;
}

/** Normalized events of one part, in file order (no sorting), a batch at a time. */
async function* normalizedBatches(ds: OpenedDataset, part: DatasetPart, options: ReadOptions, stats: { untimed: number }): AsyncGenerator<ReplayEvent[]> {
  for await (const batch of partRecordBatches(ds, part, options)) {
    const events: ReplayEvent[] = new Array(batch.length);
    for (let i = 0; i < batch.length; i++) {
      const raw = batch[i] as RawRecord;
      const { doc, timestamp } = normalizeRecord(raw);
      if (Number.isNaN(timestamp)) stats.untimed++;
      events[i] = { doc, timestamp, key: recordKey(raw, doc), dataset: ds.file, ordinal: raw.ordinal };
    }
    yield events;
  }
}

async function* flattened<T>(batches: AsyncIterable<T[]>): AsyncGenerator<T> {
  for await (const batch of batches) yield* batch;
}

async function* batched<T>(items: AsyncIterable<T>, size = BATCH_SIZE): AsyncGenerator<T[]> {
  let batch: T[] = [];
  for await (const item of items) {
    batch.push(item);
    if (batch.length >= size) {
      yield batch;
      batch = [];
    }
  }
  if (batch.length) yield batch;
}

/** The reorder window of a dataset: read options, else its descriptor, else 5 minutes. */
function reorderWindowMs(ds: OpenedDataset, options: ReadOptions): number | undefined {
  if (options.reorderWindowMs !== undefined) return options.reorderWindowMs;
  const own = ds.descriptor.reorder_window;
  return own === undefined ? undefined : parseDuration(own);
}

/** The start time a dataset is rebased to, if any (read options win over the descriptor). */
function rebaseTarget(ds: OpenedDataset, options: ReadOptions): number | undefined {
  const value = options.rebase ?? ds.descriptor.rebase;
  if (value === undefined) return undefined;
  const ms = typeof value === 'number' ? value : parseRebaseTime(value);
  if (Number.isNaN(ms)) {
    throw datasetError(ds.file, 'dataset/rebase', `cannot rebase to "${String(value)}": not an ISO 8601 time with a zone`, 'Write the time as 2024-01-31T09:00:00Z (or with an offset such as +02:00).');
  }
  return ms;
}

/**
 * The canonical events of a dataset in time order (`order.ts`: small datasets sorted whole, large
 * ones streamed in order or reordered within a window; the members of a zip archive merged). `file`
 * is repository-relative (to `options.root`) or absolute. A missing file, a bad descriptor or an
 * unreadable format throws a ContentError; malformed lines and other recoverable problems go to
 * `options.onDiagnostic`.
 */
export async function* openDataset(file: string, options: ReadOptions): AsyncGenerator<ReplayEvent> {
  yield* flattened(openDatasetBatches(file, options));
}

/**
 * `openDataset` a batch of events at a time (a few hundred): what a replay loop should read, as it
 * pays for one asynchronous step per batch instead of one per event.
 */
export async function* openDatasetBatches(file: string, options: ReadOptions): AsyncGenerator<ReplayEvent[]> {
  options = { ...currentDefaults(), ...options };
  const ds = resolveDataset(file, options);
  const rebase = rebaseTarget(ds, options);
  const parts = await datasetParts(ds, options);
  const stats = { untimed: 0 };
  let events: AsyncIterable<ReplayEvent[]>;
  if (options.timeOrder === 'sort') {
    const all = (async function* concat(): AsyncGenerator<ReplayEvent> {
      for (const part of parts) yield* flattened(normalizedBatches(ds, part, options, stats));
    })();
    events = batched(sortByTime(all, ds.file, options.sortBufferLimit ?? DEFAULT_SORT_BUFFER_LIMIT, options.tmpDir));
  } else {
    const windowMs = reorderWindowMs(ds, options);
    // Members are ordered side by side: their buffers share the budget of one dataset.
    const share = Math.max(1, parts.length);
    const ordered = parts.map((part) =>
      orderBatchesByTime(normalizedBatches(ds, part, options, stats), {
        file: ds.file,
        onDiagnostic: options.onDiagnostic,
        ...(windowMs !== undefined ? { windowMs } : {}),
        wholeSortLimit: Math.max(100, Math.floor((options.wholeSortLimit ?? DEFAULT_WHOLE_SORT_LIMIT) / share)),
        lookahead: Math.max(10, Math.floor(DEFAULT_LOOKAHEAD / share)),
      }),
    );
    events = ordered.length === 1 ? (ordered[0] as AsyncIterable<ReplayEvent[]>) : batched(mergeOrdered(ordered.map((o) => flattened(o))));
  }
  if (rebase !== undefined) events = rebaseBatches(events, rebase);
  yield* events;
  if (stats.untimed) {
    options.onDiagnostic({
      file: ds.file,
      line: 0,
      column: 0,
      severity: 'warning',
      code: 'dataset/no-timestamp',
      message: `${stats.untimed} event(s) have no timestamp; they were replayed first, or where they were read in a large dataset`,
      hint: 'For formats that write local time, set `timezone:` in the dataset descriptor.',
    });
  }
}

export { configureDatasetReading, datasetReadingDefaults, type ReadingDefaults } from './reading-defaults.js';

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
  /** `gzip` or `zip` for a compressed dataset. */
  container?: ContainerKind;
  /** The members of a zip archive that hold events, with their formats. */
  members?: Array<{ name: string; format: DatasetFormat }>;
}

function compareIds(a: string, b: string): number {
  const na = Number(a);
  const nb = Number(b);
  if (Number.isFinite(na) && Number.isFinite(nb) && na !== nb) return na - nb;
  return a < b ? -1 : a > b ? 1 : 0;
}

/** One pass over a dataset: format, counts, time span, hosts, channels and event IDs. */
export async function describeDataset(file: string, options: ReadOptions): Promise<DatasetDescription> {
  options = { ...currentDefaults(), ...options };
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
  const parts = await datasetParts(ds, inner);
  const records = (async function* all(): AsyncGenerator<RawRecord> {
    for (const part of parts) yield* partRecords(ds, part, inner);
  })();
  for await (const raw of records) {
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
    format: parts[0]?.format ?? ds.format,
    ...(ds.container ? { container: ds.container } : {}),
    ...(ds.container === 'zip' ? { members: parts.map((p) => ({ name: p.member as string, format: p.format })) } : {}),
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
