/**
 * Line-by-line reading of text datasets: streamed (one line in memory at a time), CRLF and lone-CR
 * safe, with a UTF-8 byte-order mark removed from the first line.
 */
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { Readable } from 'node:stream';
import type { Diagnostic } from '../../util/diagnostics.js';
import { limitEnvName, limits } from '../../util/limits.js';

export interface TextLine {
  /** 1-based line number in the file. */
  line: number;
  text: string;
}

/** The bytes of a dataset: its content stream when it has one (a decompressed file), else the file. */
export function openBytes(absPath: string, openContent?: () => AsyncIterable<Uint8Array>): Readable {
  return openContent ? Readable.from(openContent(), { objectMode: false }) : createReadStream(absPath, { highWaterMark: 1 << 16 });
}

export async function* readLines(absPath: string, openContent?: () => AsyncIterable<Uint8Array>): AsyncGenerator<TextLine> {
  const stream = openContent ? openBytes(absPath, openContent).setEncoding('utf8') : createReadStream(absPath, { encoding: 'utf8', highWaterMark: 1 << 16 });
  // crlfDelay: Infinity makes "\r\n" one line break even when split across chunks.
  const rl = createInterface({ input: stream, crlfDelay: Infinity });
  let line = 0;
  try {
    for await (let text of rl) {
      line++;
      if (line === 1 && text.charCodeAt(0) === 0xfeff) text = text.slice(1);
      yield { line, text };
    }
  } finally {
    rl.close();
    stream.destroy();
  }
}

/** The 1-based column of a `JSON.parse` error, when the engine reports a position. */
export function jsonErrorColumn(err: unknown): number {
  const m = /position (\d+)/.exec(err instanceof Error ? err.message : '');
  return m ? Number(m[1]) + 1 : 0;
}

/** `JSON.parse`'s message without the engine's quoting of the whole input. */
export function jsonErrorMessage(err: unknown): string {
  const msg = err instanceof Error ? err.message : String(err);
  return msg.replace(/, "[^]*" is not valid JSON$/, '').replace(/^Unexpected token '(.)', "[^]*" is not valid JSON$/, "unexpected '$1'");
}

/**
 * One line of a JSON-lines dataset as an object, or undefined after reporting why it is not one
 * (a `dataset/malformed-line` warning at the line, with the column JSON.parse gives). `kind` names
 * the dataset type in the hint ("NDJSON", "OTRF").
 */
export function parseJsonObjectLine(
  text: string,
  line: number,
  options: { file: string; onDiagnostic: (d: Diagnostic) => void },
  kind: string,
): Record<string, unknown> | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    options.onDiagnostic({
      file: options.file,
      line,
      column: jsonErrorColumn(err),
      severity: 'warning',
      code: 'dataset/malformed-line',
      message: `line ${line} is not valid JSON (${jsonErrorMessage(err)}); skipped`,
      hint: `Each line of an ${kind} dataset must be one JSON object. Fix or delete the line.`,
    });
    return undefined;
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    options.onDiagnostic({
      file: options.file,
      line,
      column: 1,
      severity: 'warning',
      code: 'dataset/malformed-line',
      message: `line ${line} is JSON but not an object; skipped`,
      hint: `Each line of an ${kind} dataset must be one JSON object.`,
    });
    return undefined;
  }
  return value as Record<string, unknown>;
}

/** Reports a line over the length limit (`util/raw-lines.ts` drops it without holding it). */
export function overlongLineReporter(options: { file: string; onDiagnostic: (d: Diagnostic) => void }): (line: number, bytes: number) => void {
  return (line, bytes) =>
    options.onDiagnostic({
      file: options.file,
      line,
      column: 1,
      severity: 'warning',
      code: 'dataset/line-too-long',
      message: `line ${line} is ${bytes} bytes long, over the limit of ${limits().maxLineBytes}; skipped`,
      hint: `A line this long is not one event. Raise the limit with ${limitEnvName('maxLineBytes')} if it really is.`,
    });
}
