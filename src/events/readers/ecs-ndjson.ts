/**
 * ECS documents as NDJSON (winlogbeat / Elastic Agent output, `_source` exports): one JSON object
 * per line, nested (`{"process": {"name": …}}`) or dotted (`{"process.name": …}`) keys or both, as
 * Elasticsearch accepts them. The documents are already canonical; they pass through as written.
 */
import { readRawLineBatches } from '../../util/raw-lines.js';
import { overlongLineReporter, parseJsonObjectLine } from './lines.js';
import type { RawRecord, ReaderOptions } from './types.js';

export async function* readEcsNdjsonRecords(absPath: string, options: ReaderOptions): AsyncGenerator<RawRecord> {
  for await (const batch of readEcsNdjsonBatches(absPath, options)) yield* batch;
}

/** The records of an ECS NDJSON file, a batch per chunk read (see `readRawLineBatches`). */
export async function* readEcsNdjsonBatches(absPath: string, options: ReaderOptions): AsyncGenerator<RawRecord[]> {
  let ordinal = 0;
  const filter = options.lineFilter;
  // Byte-level line reading (plain files and decompressed content alike): a line no query can
  // match is never decoded, and an enormous line is never held in memory (limits.maxLineBytes).
  const batches = readRawLineBatches(absPath, {
    ...(filter ? { filter, ...(filter.onSkip ? { onSkip: filter.onSkip } : {}) } : {}),
    ...(options.openContent ? { open: options.openContent } : {}),
    onOverlong: overlongLineReporter(options),
  });
  for await (const lines of batches) {
    const records: RawRecord[] = [];
    for (const { line, text } of lines) {
      if (text.trim() === '') continue;
      const obj = parseJsonObjectLine(text, line, options, 'NDJSON');
      if (!obj) continue;
      // An Elasticsearch hit (`{"_index", "_source": {...}}`) carries the document in `_source`.
      const source = obj._source;
      const document = source !== null && typeof source === 'object' && !Array.isArray(source) ? (source as Record<string, unknown>) : obj;
      records.push({ kind: 'document', line, ordinal: ordinal++, doc: document });
    }
    if (records.length) yield records;
  }
}
