/**
 * Fast, bounded line reading over bytes: a file is cut into lines without decoding it, a line filter
 * (literal prefiltering, `src/engine/prefilter.ts`) sees each line's bytes first, and only the lines
 * it keeps are decoded. Line breaks are those of `readline` with `crlfDelay: Infinity` — `\n`,
 * `\r\n` and a lone `\r` — so line numbers agree with the plain reader; a UTF-8 byte-order mark
 * at the start is dropped. A line longer than `maxLineBytes` is never held whole: its bytes are
 * counted and dropped up to the next line break, and the caller is told its number and length.
 */
import { closeSync, openSync, readSync } from 'node:fs';
import { limits } from './limits.js';

export interface RawLineFilter {
  test(bytes: Uint8Array, start: number, end: number): boolean;
  /**
   * Optional chunk-wide form: sorted positions in `bytes[start, end)` such that every line `test`
   * accepts holds one of them (a line holding one is read even if `test` would reject it);
   * undefined to fall back to `test` per line. `latin1` is `bytes[start, end)` read as Latin-1, when
   * the caller has it already.
   */
  keepPositions?(bytes: Uint8Array, start: number, end: number, latin1?: string): number[] | undefined;
}

export interface RawLineOptions {
  /** Lines it rejects are skipped undecoded (blank lines never reach it). */
  filter?: RawLineFilter;
  /** Longest line kept (bytes); longer lines are reported through `onOverlong` and skipped. */
  maxLineBytes?: number;
  onOverlong?: (line: number, bytes: number) => void;
  /** Told about every line the filter rejected. */
  onSkip?: (line: number) => void;
  /** Read these bytes (e.g. a decompressed container member) instead of opening the file. */
  open?: () => AsyncIterable<Uint8Array>;
}

export interface DecodedLine {
  /** 1-based line number. */
  line: number;
  text: string;
}

/** Lines a filter is tried on before it is judged (see `filter` in `readRawLineBatches`). */
const FILTER_TRIAL_LINES = 2000;

const LF = 0x0a;
const CR = 0x0d;

function isBlank(buf: Uint8Array, start: number, end: number): boolean {
  for (let i = start; i < end; i++) {
    const c = buf[i] as number;
    if (c !== 0x20 && c !== 0x09 && c !== 0x0b && c !== 0x0c) return false;
  }
  return true;
}

/**
 * Whether a line is framed as one JSON object: its first non-blank byte is `{` and its last `}`.
 * A line the filter rejects is skipped only if it is, and holds no glue point (`gluePositions`):
 * a line cut short, two records glued together, a record cut short with the next glued to it — the
 * ways lines get damaged — are handed on, so the reader reports them exactly as it would without a
 * filter. Damage inside a line that keeps its frame (a stray bracket, a bad value such as `tru`, a
 * raw control character in a string) is found only by parsing: `--strict` reads every line. A full
 * structural check of every skipped line cost a third of parsing it (measured), which is what
 * skipping it is meant to save.
 */
function framedAsOneObject(buf: Uint8Array, start: number, end: number): boolean {
  let i = start;
  while (i < end && (buf[i] === 0x20 || buf[i] === 0x09)) i++;
  let j = end - 1;
  while (j > i && (buf[j] === 0x20 || buf[j] === 0x09)) j--;
  return j > i && buf[i] === 0x7b && buf[j] === 0x7d;
}

/**
 * Where, in a chunk read as Latin-1 (`offset`: the chunk's position in its buffer), an object opens
 * — `{"` or `{}` — after something that cannot come before one: anything but `:`, `,`, `[`, the
 * line's start, or blanks after one of those. `…}{"…` is two records glued together, `…"tr{"b":…` a
 * record cut short with the next glued to it. In a valid JSON line an object's `{` follows one of
 * those, and `{"` cannot occur inside a string (the quote would be escaped) except as a string's
 * last character — so such a point is damage, or rarely a string ending in `{`, and its line is
 * parsed either way. Found with the engine's native search, about a tenth of the cost of walking
 * every byte.
 */
function gluePositions(text: string, offset: number): number[] {
  const at: number[] = [];
  // One pass over every `{` (then a look at the byte after it) rather than one search for `{"` and
  // another for `{}`: each search stops at every `{`, and objects open several times per line.
  for (let i = text.indexOf('{'); i >= 0; i = text.indexOf('{', i + 1)) {
    const after = text.charCodeAt(i + 1);
    if (after !== 0x22 && after !== 0x7d) continue;
    let p = i - 1;
    let c = text.charCodeAt(p);
    while (c === 0x20 || c === 0x09) c = text.charCodeAt(--p);
    // 0x3a `:`, 0x2c `,`, 0x5b `[`, a line break, or the chunk's start (NaN): an object may open here.
    if (c !== 0x3a && c !== 0x2c && c !== 0x5b && c !== 0x0a && c !== 0x0d && p >= 0) at.push(offset + i);
  }
  return at;
}

/** The index of the first of sorted `positions`, from index `from` on, that is at or after `start`. */
function firstAtOrAfter(positions: number[], from: number, start: number): number {
  while (from < positions.length && (positions[from] as number) < start) from++;
  return from;
}

/** The lines of a file one by one (see `readRawLineBatches`). */
export async function* readRawLines(absPath: string, options: RawLineOptions = {}): AsyncGenerator<DecodedLine> {
  for await (const batch of readRawLineBatches(absPath, options)) yield* batch;
}

/**
 * The lines of a file, a batch per chunk read (64 KiB, about a hundred lines): consumers that
 * process lines in a loop pay the cost of an asynchronous step once per chunk, not once per line.
 */
export async function* readRawLineBatches(absPath: string, options: RawLineOptions = {}): AsyncGenerator<DecodedLine[]> {
  /**
   * The filter, while it pays: a filter that lets most lines through (the rules need a literal in
   * nearly every line, such as `windows`) only adds its scan to the parse, so after the first
   * lines it is dropped for the rest of the file when it kept more than half of them. Dropping it
   * is always safe: a filter only ever saves work.
   */
  let filter = options.filter;
  let tested = 0;
  let passed = 0;
  const maxLine = options.maxLineBytes ?? limits().maxLineBytes;
  let line = 0;
  /** The previous chunk ended with `\r`: a `\n` opening this one belongs to it. */
  let pendingCR = false;
  /** Bytes of an overlong line dropped so far (0: not in one). */
  let overlong = 0;
  let first = true;

  /** Keep positions of the chunk being cut (`RawLineFilter.keepPositions`), and the next to look at. */
  let keep: number[] | undefined;
  let nextKeep = 0;
  /** Glue points of the chunk being cut (`gluePositions`), and the next to look at. */
  let glue: number[] = [];
  let nextGlue = 0;
  const accepted = (buf: Buffer, start: number, end: number): boolean => {
    if (!filter) return true;
    if (!keep) return filter.test(buf, start, end);
    nextKeep = firstAtOrAfter(keep, nextKeep, start);
    return nextKeep < keep.length && (keep[nextKeep] as number) < end;
  };
  const glued = (start: number, end: number): boolean => {
    nextGlue = firstAtOrAfter(glue, nextGlue, start);
    return nextGlue < glue.length && (glue[nextGlue] as number) < end;
  };
  /** Prepares a chunk `buf[from, to)` for cutting: its keep and glue positions. */
  const scanChunk = (buf: Buffer, from: number, to: number): void => {
    keep = undefined;
    glue = [];
    nextKeep = nextGlue = 0;
    if (!filter) return;
    const latin1 = buf.toString('latin1', from, to);
    keep = filter.keepPositions?.(buf, from, to, latin1);
    glue = gluePositions(latin1, from);
  };

  const emit = (buf: Buffer, start: number, end: number): DecodedLine | undefined => {
    line++;
    if (first) {
      first = false;
      if (end - start >= 3 && buf[start] === 0xef && buf[start + 1] === 0xbb && buf[start + 2] === 0xbf) start += 3;
    }
    if (overlong) {
      const total = overlong + (end - start);
      overlong = 0;
      options.onOverlong?.(line, total);
      return undefined;
    }
    if (end - start > maxLine) {
      options.onOverlong?.(line, end - start);
      return undefined;
    }
    if (isBlank(buf, start, end)) return undefined;
    if (filter) {
      tested++;
      if (accepted(buf, start, end)) passed++;
      else if (!glued(start, end) && framedAsOneObject(buf, start, end)) {
        options.onSkip?.(line);
        return undefined;
      }
    }
    return { line, text: buf.toString('utf8', start, end) };
  };

  const source = options.open ? streamChunks(options.open()) : fileChunks(absPath);
  try {
    for (let buf = await source.next(); buf; buf = await source.next()) {
      let pos = 0;
      if (pendingCR) {
        pendingCR = false;
        if (buf[0] === LF) pos = 1;
      }
      let nextCR = buf.indexOf(CR, pos);
      const batch: DecodedLine[] = [];
      scanChunk(buf, pos, buf.length);
      for (;;) {
        let nl = buf.indexOf(LF, pos);
        if (nextCR >= 0 && nextCR < pos) nextCR = buf.indexOf(CR, pos);
        let width = 1;
        if (nextCR >= 0 && (nl < 0 || nextCR < nl)) {
          if (nextCR + 1 >= buf.length) {
            // `\r` at the end of the chunk: the line ends; a `\n` may open the next chunk.
            nl = nextCR;
            pendingCR = true;
          } else {
            nl = nextCR;
            if (buf[nextCR + 1] === LF) width = 2;
          }
        }
        if (nl < 0) break;
        const out = emit(buf, pos, nl);
        if (out) batch.push(out);
        pos = nl + width;
      }
      if (filter && tested >= FILTER_TRIAL_LINES && passed * 2 > tested) {
        filter = undefined;
        keep = undefined;
        glue = [];
      }
      if (batch.length) yield batch;
      if (pos < buf.length) {
        const rest = buf.length - pos;
        if (overlong || rest > maxLine) {
          // Never hold an overlong line: count and drop what we have of it.
          overlong += rest;
          if (first) first = false;
        } else {
          source.hold(buf, pos);
        }
      }
    }
    const tail = source.held();
    if (tail || overlong) {
      const last = tail ?? Buffer.alloc(0);
      scanChunk(last, 0, last.length);
      const out = emit(last, 0, last.length);
      if (out) yield [out];
    }
  } finally {
    source.close();
  }
}

/** Bytes to cut into lines, a chunk at a time, with the unfinished line of one chunk opening the next. */
interface ChunkSource {
  /** The next bytes: the held tail of the previous chunk, then newly read ones; undefined at the end. */
  next(): Buffer | undefined | Promise<Buffer | undefined>;
  /** Holds `buf[from, buf.length)`, an unfinished line, for the front of the next chunk. */
  hold(buf: Buffer, from: number): void;
  /** What is held when the input ends (a last line without a line break). */
  held(): Buffer | undefined;
  close(): void;
}

/**
 * Bytes read per chunk. With 256 KiB chunks a batch of parsed events outlived V8's young-generation
 * collections often enough to double the collector's work on a large replay.
 */
const CHUNK_BYTES = 1 << 16;

/**
 * A plain file, read synchronously into one buffer that every chunk reuses: a stream allocates a
 * buffer per chunk and pays an asynchronous round trip per read, which cost four times as much CPU
 * as the reads themselves (measured: 106 ms against 23 ms for 95 MB). The lines handed on are
 * decoded strings, so nothing refers to the buffer once the next chunk is read into it.
 */
function fileChunks(absPath: string): ChunkSource {
  const fd = openSync(absPath, 'r');
  let work = Buffer.allocUnsafe(2 * CHUNK_BYTES);
  let heldBytes = 0;
  let chunks = 0;
  const readChunk = (): Buffer | undefined => {
    if (work.length < heldBytes + CHUNK_BYTES) {
      // A line longer than a chunk (up to limits.maxLineBytes): room for it and a chunk more, the
      // buffer doubling so that a long line is copied a few times, not once per chunk.
      const bigger = Buffer.allocUnsafe(Math.max(heldBytes + CHUNK_BYTES, 2 * work.length));
      work.copy(bigger, 0, 0, heldBytes);
      work = bigger;
    }
    const got = readSync(fd, work, heldBytes, CHUNK_BYTES, null);
    if (got === 0) return undefined;
    const buf = work.subarray(0, heldBytes + got);
    heldBytes = 0;
    return buf;
  };
  return {
    // Reading never waits, so every 16 chunks (1 MiB) the event loop gets a turn: output written to
    // a pipe drains, signals and worker messages are handled.
    next: () =>
      ++chunks % 16 === 0
        ? new Promise<Buffer | undefined>((resolve, reject) =>
            setImmediate(() => {
              try {
                resolve(readChunk());
              } catch (err) {
                reject(err);
              }
            }),
          )
        : readChunk(),
    hold(buf, from) {
      // `buf` is the front of `work`: move the unfinished line to its start.
      heldBytes = buf.length - from;
      if (from > 0) work.copyWithin(0, from, buf.length);
    },
    held: () => (heldBytes ? work.subarray(0, heldBytes) : undefined),
    close: () => closeSync(fd),
  };
}

/** Bytes from a stream (a decompressed container member): each chunk after the held tail. */
function streamChunks(input: AsyncIterable<Uint8Array>): ChunkSource {
  const iterator = input[Symbol.asyncIterator]();
  let carry: Buffer | undefined;
  let done = false;
  return {
    async next() {
      if (done) return undefined;
      const step = await iterator.next();
      if (step.done) {
        done = true;
        return undefined;
      }
      const bytes = step.value;
      const chunk = Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
      const buf = carry ? Buffer.concat([carry, chunk]) : chunk;
      carry = undefined;
      return buf;
    },
    hold(buf, from) {
      carry = Buffer.from(buf.subarray(from));
    },
    held: () => carry,
    close() {
      if (!done) void iterator.return?.();
    },
  };
}
