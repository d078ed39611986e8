/**
 * A dataset that is one JSON array of events (`[{…}, {…}]`), as some tools export. The array is
 * split into its elements as the bytes stream by, so a large file never sits in memory whole.
 * Elements that look like OTRF/NXLog records become Windows records, others pass as documents.
 */
import { StringDecoder } from 'node:string_decoder';
import { limitEnvName, limits } from '../../util/limits.js';
import { jsonErrorMessage, openBytes } from './lines.js';
import { looksLikeOtrf, otrfToWindowsRecord } from './otrf-json.js';
import type { RawRecord, ReaderOptions } from './types.js';

interface Element {
  text: string;
  line: number;
}

/** Top-level elements of a JSON array, as text with the line they start on. */
async function* splitArray(absPath: string, options: ReaderOptions): AsyncGenerator<Element> {
  const stream = openBytes(absPath, options.openContent);
  const decoder = new StringDecoder('utf8');
  let line = 1;
  let depth = 0; // 0 before the array, 1 inside it, >1 inside an element
  let inString = false;
  let escaped = false;
  let started = false;
  let first = true;
  let current: string[] = [];
  let currentStart = 0;
  let stringElement = false;
  let elementLine = 0;
  let ended = false;
  let lastWasCR = false;
  // An element is held until it closes; one longer than the line limit is dropped as it streams
  // (never held whole) and reported when it closes.
  const maxChars = limits().maxLineBytes;
  let heldChars = 0;
  let oversized = false;
  /** The element ending at `end` (exclusive) of `chunk`, or undefined (reported) when too long. */
  const close = (chunk: string, end: number): Element | undefined => {
    const tooLong = oversized || heldChars + (end - currentStart) > maxChars;
    const text = tooLong ? '' : (current.push(chunk.slice(currentStart, end)), current.join(''));
    current = [];
    heldChars = 0;
    oversized = false;
    if (!tooLong) return { text, line: elementLine };
    options.onDiagnostic({
      file: options.file,
      line: elementLine,
      column: 0,
      severity: 'warning',
      code: 'dataset/line-too-long',
      message: `the array element starting at line ${elementLine} is longer than the limit of ${maxChars} bytes; skipped`,
      hint: `An element this long is not one event. Raise the limit with ${limitEnvName('maxLineBytes')} if it really is.`,
    });
    return undefined;
  };
  for await (const buf of stream) {
    let chunk = decoder.write(buf as Buffer);
    if (first) {
      if (chunk.charCodeAt(0) === 0xfeff) chunk = chunk.slice(1);
      first = false;
    }
    currentStart = 0;
    for (let i = 0; i < chunk.length; i++) {
      const c = chunk.charCodeAt(i);
      if (c === 10) {
        if (!lastWasCR) line++;
        lastWasCR = false;
      } else if (c === 13) {
        line++;
        lastWasCR = true;
      } else lastWasCR = false;
      if (ended) continue;
      if (inString) {
        if (escaped) escaped = false;
        else if (c === 92) escaped = true;
        else if (c === 34) {
          inString = false;
          if (stringElement) {
            const element = close(chunk, i + 1);
            if (element) yield element;
            stringElement = false;
          }
        }
        continue;
      }
      if (c === 34) {
        if (depth === 1) {
          // a bare string element, closed at its end quote
          stringElement = true;
          elementLine = line;
          currentStart = i;
          current = [];
          heldChars = 0;
          oversized = false;
        }
        inString = true;
        continue;
      }
      if (!started) {
        if (c === 91) {
          started = true;
          depth = 1;
        }
        continue;
      }
      if (c === 123 || c === 91) {
        if (depth === 1) {
          elementLine = line;
          currentStart = i;
          current = [];
          heldChars = 0;
          oversized = false;
        }
        depth++;
      } else if (c === 125 || c === 93) {
        depth--;
        if (depth === 1) {
          const element = close(chunk, i + 1);
          if (element) yield element;
        } else if (depth === 0) {
          ended = true;
        }
      } else if (depth === 1 && c !== 44 && c !== 32 && c !== 9 && c !== 10 && c !== 13) {
        // a scalar element (number, true, null): read up to the next comma or bracket
        elementLine = line;
        let j = i;
        while (j < chunk.length && !/[,\]\s]/.test(chunk[j] as string)) j++;
        yield { text: chunk.slice(i, j), line: elementLine };
        i = j - 1;
      }
    }
    if ((depth > 1 || stringElement) && !oversized) {
      heldChars += chunk.length - currentStart;
      if (heldChars > maxChars) {
        oversized = true;
        current = [];
      } else {
        current.push(chunk.slice(currentStart));
      }
    }
  }
  if (!started || !ended) {
    options.onDiagnostic({
      file: options.file,
      line,
      column: 0,
      severity: 'warning',
      code: 'dataset/malformed-line',
      message: started ? 'the JSON array is not closed: the file is truncated' : 'the file does not contain a JSON array',
      hint: 'A json-array dataset is one JSON array of event objects.',
    });
  }
}

export async function* readJsonArrayRecords(absPath: string, options: ReaderOptions): AsyncGenerator<RawRecord> {
  let ordinal = 0;
  for await (const { text, line } of splitArray(absPath, options)) {
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (err) {
      options.onDiagnostic({
        file: options.file,
        line,
        column: 0,
        severity: 'warning',
        code: 'dataset/malformed-line',
        message: `the array element starting at line ${line} is not valid JSON (${jsonErrorMessage(err)}); skipped`,
      });
      continue;
    }
    if (value === null || typeof value !== 'object' || Array.isArray(value)) {
      options.onDiagnostic({
        file: options.file,
        line,
        column: 0,
        severity: 'warning',
        code: 'dataset/malformed-line',
        message: `the array element at line ${line} is not an object; skipped`,
      });
      continue;
    }
    const obj = value as Record<string, unknown>;
    if (looksLikeOtrf(obj)) {
      const { record, problem } = otrfToWindowsRecord(obj, options.timezone, text);
      if (record) yield { kind: 'windows', line, ordinal: ordinal++, record };
      else
        options.onDiagnostic({
          file: options.file,
          line,
          column: 0,
          severity: 'warning',
          code: 'dataset/malformed-line',
          message: `the array element at line ${line} is not a Windows event: ${problem}; skipped`,
        });
    } else {
      yield { kind: 'document', line, ordinal: ordinal++, doc: obj };
    }
  }
}
