/**
 * ECS documents as NDJSON (winlogbeat / Elastic Agent output, `_source` exports): one JSON object
 * per line, nested (`{"process": {"name": …}}`) or dotted (`{"process.name": …}`) keys or both, as
 * Elasticsearch accepts them. The documents are already canonical; they pass through as written.
 */
import { readRawLines } from '../../util/raw-lines.js';
import { limitEnvName, limits } from '../../util/limits.js';
import { jsonErrorColumn, jsonErrorMessage } from './lines.js';
import type { RawRecord, ReaderOptions } from './types.js';

export async function* readEcsNdjsonRecords(absPath: string, options: ReaderOptions): AsyncGenerator<RawRecord> {
  let ordinal = 0;
  const filter = options.lineFilter;
  // Byte-level line reading (plain files and decompressed content alike): a line no query can
  // match is never decoded, and an enormous line is never held in memory (limits.maxLineBytes).
  const lines = readRawLines(absPath, {
    ...(filter ? { filter, ...(filter.onSkip ? { onSkip: filter.onSkip } : {}) } : {}),
    ...(options.openContent ? { open: options.openContent } : {}),
    onOverlong: (line, bytes) =>
      options.onDiagnostic({
        file: options.file,
        line,
        column: 1,
        severity: 'warning',
        code: 'dataset/line-too-long',
        message: `line ${line} is ${bytes} bytes long, over the limit of ${limits().maxLineBytes}; skipped`,
        hint: `A line this long is not one event. Raise the limit with ${limitEnvName('maxLineBytes')} if it really is.`,
      }),
  });
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
