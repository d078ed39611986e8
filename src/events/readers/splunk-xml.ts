/**
 * Reader for Windows event XML as Splunk's `XmlWinEventLog` sourcetype stores it (the form of the
 * Sysmon logs in `splunk/attack_data`): one `<Event xmlns=…>…</Event>` per event, usually one per
 * line, sometimes spanning lines or wrapped in an `<Events>` root (Event Viewer and `wevtutil`
 * exports), UTF-8 with or without BOM (UTF-16 when it starts with its BOM), LF or CRLF.
 */
import { TextDecoder } from 'node:util';
import type { Diagnostic } from '../../util/diagnostics.js';
import { EventElementSplitter, type SplitItem } from '../xml/event-splitter.js';
import { windowsRecordFromEvent } from '../xml/windows-event.js';
import { openBytes } from './lines.js';
import type { RawRecord, ReaderOptions, RecordReader } from './types.js';

const MALFORMED_HINT = 'The event is skipped; the rest of the file is still read. Check the export (a truncated copy, or text that is not XmlWinEventLog).';

function diagnostic(options: ReaderOptions, item: Extract<SplitItem, { kind: 'error' }>): Diagnostic {
  if (item.code === 'doctype') {
    return {
      file: options.file,
      line: item.line,
      column: item.column,
      severity: 'warning',
      code: 'dataset/xml-doctype',
      message: item.message,
      hint: 'Windows event XML never has a DOCTYPE; only the five predefined entities are decoded.',
    };
  }
  return {
    file: options.file,
    line: item.line,
    column: item.column,
    severity: 'warning',
    code: 'dataset/malformed-record',
    message: `malformed event: ${item.message}`,
    hint: MALFORMED_HINT,
  };
}

/** Picks the text decoder from the byte-order mark (UTF-8 by default); the BOM itself is dropped. */
function decoderFor(first: Uint8Array): TextDecoder {
  if (first[0] === 0xff && first[1] === 0xfe) return new TextDecoder('utf-16le');
  if (first[0] === 0xfe && first[1] === 0xff) return new TextDecoder('utf-16be');
  return new TextDecoder('utf-8');
}

/**
 * The reader over any chunked byte (or text) source: the file reader uses it, and tests feed it
 * chunks cut at awkward places.
 */
export async function* readSplunkXmlChunks(
  chunks: AsyncIterable<Uint8Array | string>,
  options: ReaderOptions,
): AsyncGenerator<RawRecord> {
  const splitter = new EventElementSplitter();
  let decoder: TextDecoder | undefined;
  let ordinal = 0;
  let pending: Uint8Array | undefined;

  function* records(items: SplitItem[]): Generator<RawRecord> {
    for (const item of items) {
      if (item.kind === 'error') {
        if (item.code === 'malformed') ordinal++;
        options.onDiagnostic(diagnostic(options, item));
        continue;
      }
      const record = windowsRecordFromEvent(item.element);
      if (typeof record === 'string') {
        options.onDiagnostic(
          diagnostic(options, { kind: 'error', code: 'malformed', line: item.line, column: item.column, message: record }),
        );
        ordinal++;
        continue;
      }
      yield { kind: 'windows', record, line: item.line, ordinal: ordinal++ };
    }
  }

  for await (const chunk of chunks) {
    let text: string;
    if (typeof chunk === 'string') {
      text = chunk;
    } else {
      let bytes = chunk;
      if (!decoder) {
        // The BOM decides the encoding: wait until at least two bytes are there.
        bytes = pending ? concat(pending, bytes) : bytes;
        if (bytes.length < 2) {
          pending = bytes;
          continue;
        }
        pending = undefined;
        decoder = decoderFor(bytes);
      }
      text = decoder.decode(bytes, { stream: true });
    }
    yield* records(splitter.push(text));
  }
  if (pending) yield* records(splitter.push(new TextDecoder('utf-8').decode(pending)));
  if (decoder) yield* records(splitter.push(decoder.decode()));
  yield* records(splitter.end());
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a, 0);
  out.set(b, a.length);
  return out;
}

/** Streams one XmlWinEventLog file, 64 KiB at a time. */
export const readSplunkXmlRecords: RecordReader = async function* (absPath, options) {
  const stream = openBytes(absPath, options.openContent);
  try {
    yield* readSplunkXmlChunks(stream as AsyncIterable<Buffer>, options);
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    if (!e.code) throw err;
    options.onDiagnostic({
      file: options.file,
      line: 0,
      column: 0,
      severity: 'error',
      code: 'dataset/unreadable',
      message: `cannot read the dataset: ${e.code} ${e.message}`,
    });
  } finally {
    stream.destroy();
  }
};
