/**
 * ECS documents as NDJSON (winlogbeat / Elastic Agent output, `_source` exports): one JSON object
 * per line, nested (`{"process": {"name": …}}`) or dotted (`{"process.name": …}`) keys or both, as
 * Elasticsearch accepts them. The documents are already canonical; they pass through as written.
 */
import { readRawLines } from '../../util/raw-lines.js';
import { jsonErrorColumn, jsonErrorMessage, readLines } from './lines.js';
import type { RawRecord, ReaderOptions } from './types.js';

export async function* readEcsNdjsonRecords(absPath: string, options: ReaderOptions): AsyncGenerator<RawRecord> {
  let ordinal = 0;
  const filter = options.lineFilter;
  // The prefilter reads raw file bytes; decompressed content goes through the plain reader.
  const lines =
    filter && !options.openContent ? readRawLines(absPath, { filter, ...(filter.onSkip ? { onSkip: filter.onSkip } : {}) }) : readLines(absPath, options.openContent);
  for await (const { line, text } of lines) {
    if (text.trim() === '') continue;
    let doc: unknown;
    try {
      doc = JSON.parse(text);
    } catch (err) {
      options.onDiagnostic({
        file: options.file,
        line,
        column: jsonErrorColumn(err),
        severity: 'warning',
        code: 'dataset/malformed-line',
        message: `line ${line} is not valid JSON (${jsonErrorMessage(err)}); skipped`,
        hint: 'Each line of an NDJSON dataset must be one JSON document. Fix or delete the line.',
      });
      continue;
    }
    if (doc === null || typeof doc !== 'object' || Array.isArray(doc)) {
      options.onDiagnostic({
        file: options.file,
        line,
        column: 1,
        severity: 'warning',
        code: 'dataset/malformed-line',
        message: `line ${line} is JSON but not an object; skipped`,
        hint: 'Each line of an NDJSON dataset must be one JSON document (an object).',
      });
      continue;
    }
    // An Elasticsearch hit (`{"_index", "_source": {...}}`) carries the document in `_source`.
    const obj = doc as Record<string, unknown>;
    const source = obj._source;
    const document = source !== null && typeof source === 'object' && !Array.isArray(source) ? (source as Record<string, unknown>) : obj;
    yield { kind: 'document', line, ordinal: ordinal++, doc: document };
  }
}
