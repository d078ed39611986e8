/**
 * Replay order (DESIGN.md: events replayed in timestamp order, stable for ties by record position)
 * with memory bounded by time, not by dataset size:
 *
 * - A small dataset (at most `wholeSortLimit` events) is sorted whole: exact, and events without a
 *   time come first.
 * - A larger dataset that is already in order — the common case: an EVTX log, a winlogbeat export —
 *   streams as it is, checked event by event, holding only a small lookahead.
 * - A larger dataset out of order (several channels or hosts interleaved by a collector) is
 *   reordered within a window of event time (default 5 minutes): an event is replayed once an
 *   event at least a window later has been read. An event that arrives after events more than a
 *   window later than it were replayed is reported (with its line) and replayed at once, out of
 *   order. Events without a time are replayed where they are read.
 *
 * Exact order for any disorder remains available through the external sort in `sort.ts`.
 */
import type { Diagnostic } from '../util/diagnostics.js';
import { limit, limitEnvName } from '../util/limits.js';
import { compareReplayEvents } from './sort.js';
import type { ReplayEvent } from './types.js';

export const DEFAULT_REORDER_WINDOW_MS = 5 * 60_000;
export const DEFAULT_WHOLE_SORT_LIMIT = 10_000;
/**
 * Events an in-order stream holds back (so a stream that turns out of order shortly after is still
 * reordered). Small on purpose: every held event is a parsed document that survives garbage
 * collections, and holding a thousand tripled the collector's work on a large replay.
 */
export const DEFAULT_LOOKAHEAD = 128;
/**
 * Most events held while reordering, whatever the window (the limit `maxReorderEvents`, default
 * 10,000, `RULEPROOF_MAX_REORDER_EVENTS`): bounds memory on a dense window. A normalised Windows event
 * takes about 3.3 KB of heap. Measured on a synthetic EVTX log of 120,000 records that all fall in
 * one five-minute window, replayed through the event pipeline with the CLI's young generation:
 * 1,000 held 210 MB of RSS, 10,000 276 MB, 12,000 285 MB, 15,000 319 MB, 20,000 339 MB, 50,000
 * (the earlier cap) 407 MB. The cap is a count, not bytes, because nothing downstream knows an
 * event's size. An event is held until one a window later has been read, but only as long as the
 * dataset's disorder needs: 10,000 events cover a stream that is out of order by up to 100 seconds
 * at 100 events/s. Beyond the cap the oldest held events are replayed, and any later event older
 * than them is reported as late (never dropped), with the limit named in the hint;
 * `ReadOptions.timeOrder: 'sort'` (an external sort) orders any dataset exactly.
 */
export function defaultMaxBuffered(): number {
  return limit('maxReorderEvents');
}
/** Late events reported one by one; the rest are counted in one summary. */
const LATE_REPORTS = 10;

export interface TimeOrderOptions {
  /** Repository-relative dataset path, for diagnostics. */
  file: string;
  onDiagnostic: (d: Diagnostic) => void;
  windowMs?: number;
  wholeSortLimit?: number;
  lookahead?: number;
  maxBuffered?: number;
}

/** A binary min-heap of replay events in (timestamp, ordinal) order, events without a time first. */
export class EventHeap<T extends { event: ReplayEvent }> {
  private readonly items: T[] = [];

  get size(): number {
    return this.items.length;
  }

  peek(): T | undefined {
    return this.items[0];
  }

  push(item: T): void {
    const a = this.items;
    let i = a.length;
    a.push(item);
    while (i > 0) {
      const p = (i - 1) >> 1;
      const parent = a[p] as T;
      if (compareReplayEvents(parent.event, item.event) <= 0) break;
      a[i] = parent;
      i = p;
    }
    a[i] = item;
  }

  pop(): T | undefined {
    const a = this.items;
    const top = a[0];
    const last = a.pop();
    if (top === undefined || last === undefined || a.length === 0) return top;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= a.length) break;
      const r = l + 1;
      const child = r < a.length && compareReplayEvents((a[r] as T).event, (a[l] as T).event) < 0 ? r : l;
      if (compareReplayEvents((a[child] as T).event, last.event) >= 0) break;
      a[i] = a[child] as T;
      i = child;
    }
    a[i] = last;
    return top;
  }
}

/** The line a record key names (`line:12`, `member.json!line:12`), 0 for record or offset keys. */
export function lineOfKey(key: string): number {
  const m = /(?:^|!)line:(\d+)$/.exec(key);
  return m ? Number(m[1]) : 0;
}

function where(key: string): string {
  const line = lineOfKey(key);
  const member = key.includes('!') ? ` of ${key.slice(0, key.lastIndexOf('!'))}` : '';
  if (line) return `line ${line}${member}`;
  const record = /(?:^|!)record:(\S+)$/.exec(key);
  return record ? `record ${record[1]}${member}` : `event ${key}`;
}

export function formatDuration(ms: number): string {
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return s % 60 ? `${m}m ${s % 60}s` : `${m}m`;
  const h = Math.floor(m / 60);
  return m % 60 ? `${h}h ${m % 60}m` : `${h}h`;
}

/** `source` in time order, as described at the top of this module. */
export async function* orderByTime(source: AsyncIterable<ReplayEvent>, options: TimeOrderOptions): AsyncGenerator<ReplayEvent> {
  async function* singles(): AsyncGenerator<ReplayEvent[]> {
    for await (const event of source) yield [event];
  }
  for await (const batch of orderBatchesByTime(singles(), options)) yield* batch;
}

/**
 * A first-in first-out queue: the buffer of an in-order stream, whose events leave in the order
 * they came (cheaper than the heap, which it hands its events to when the stream turns out of order).
 */
class EventQueue {
  private items: ReplayEvent[] = [];
  private head = 0;

  get size(): number {
    return this.items.length - this.head;
  }

  peek(): ReplayEvent | undefined {
    return this.items[this.head];
  }

  push(event: ReplayEvent): void {
    this.items.push(event);
  }

  shift(): ReplayEvent | undefined {
    const e = this.items[this.head];
    this.items[this.head++] = undefined as unknown as ReplayEvent;
    if (this.head > 4096 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
    return e;
  }

  drain(): ReplayEvent[] {
    const out = this.items.slice(this.head);
    this.items = [];
    this.head = 0;
    return out;
  }
}

/**
 * `orderByTime` over batches: each batch read yields the events released while it was taken in
 * (possibly none; empty batches are not yielded). While the stream is in order, held events wait
 * in a queue; from the first event out of order on, in a heap.
 */
export async function* orderBatchesByTime(source: AsyncIterable<ReplayEvent[]>, options: TimeOrderOptions): AsyncGenerator<ReplayEvent[]> {
  const windowMs = options.windowMs ?? DEFAULT_REORDER_WINDOW_MS;
  const wholeSortLimit = options.wholeSortLimit ?? DEFAULT_WHOLE_SORT_LIMIT;
  const lookahead = Math.max(1, options.lookahead ?? DEFAULT_LOOKAHEAD);
  const maxBuffered = Math.max(lookahead, options.maxBuffered ?? defaultMaxBuffered());
  const iterator = source[Symbol.asyncIterator]();

  // Small datasets: sorted whole.
  const head: ReplayEvent[] = [];
  /** The part of the batch that filled the head which is not in the head. */
  let rest: ReplayEvent[] = [];
  let exhausted = false;
  while (head.length <= wholeSortLimit) {
    const r = await iterator.next();
    if (r.done) {
      exhausted = true;
      break;
    }
    const batch = r.value;
    const room = wholeSortLimit + 1 - head.length;
    if (batch.length <= room) {
      for (const e of batch) head.push(e);
    } else {
      for (let i = 0; i < room; i++) head.push(batch[i] as ReplayEvent);
      rest = batch.slice(room);
    }
  }
  if (exhausted) {
    head.sort(compareReplayEvents);
    if (head.length) yield head;
    return;
  }

  // Large datasets: stream while in order, reorder within the window once they are not.
  const queue = new EventQueue();
  const heap = new EventHeap<{ event: ReplayEvent }>();
  let maxSeen = -Infinity;
  let previous = -Infinity;
  let lastReleased = -Infinity;
  let inOrder = true;
  let late = 0;
  /** Whether the cap has made held events leave before their window closed. */
  let capped = false;
  /** What to do about late events: more room when the cap made them late, else a longer window. */
  const lateHint = (): string =>
    capped
      ? `Raise the number of events held for reordering with ${limitEnvName('maxReorderEvents')} (each takes about 3 KB of memory), or sort the file by time.`
      : 'Raise `reorder_window:` in the dataset descriptor, or sort the file by time.';
  let out: ReplayEvent[] = [];

  const arrive = (event: ReplayEvent): void => {
    const t = event.timestamp;
    if (Number.isNaN(t)) {
      // Untimed events sort before every timed one: due at once.
      if (inOrder) out.push(event);
      else heap.push({ event });
      return;
    }
    if (t < previous && inOrder) {
      inOrder = false;
      for (const e of queue.drain()) heap.push({ event: e });
      options.onDiagnostic({
        file: options.file,
        line: lineOfKey(event.key),
        column: 0,
        severity: 'info',
        code: 'dataset/reordered',
        message: `the dataset is not in time order (${where(event.key)} goes back ${formatDuration(previous - t)}); events are reordered within a ${formatDuration(windowMs)} window`,
        hint: 'Set `reorder_window:` in the dataset descriptor if events arrive later than that.',
      });
    }
    previous = t;
    if (t < lastReleased) {
      late++;
      if (late <= LATE_REPORTS) {
        options.onDiagnostic({
          file: options.file,
          line: lineOfKey(event.key),
          column: 0,
          severity: 'warning',
          code: 'dataset/late-event',
          message: capped
            ? `${where(event.key)} (${new Date(t).toISOString()}) comes ${formatDuration(lastReleased - t)} after events that were already replayed: more than ${maxBuffered} events fell in one reorder window, so the oldest were replayed early; it is replayed out of order`
            : `${where(event.key)} (${new Date(t).toISOString()}) comes ${formatDuration(lastReleased - t)} after events that were already replayed, beyond the ${formatDuration(windowMs)} reorder window; it is replayed out of order`,
          hint: lateHint(),
        });
      }
      out.push(event);
      return;
    }
    if (t > maxSeen) maxSeen = t;
    if (inOrder) queue.push(event);
    else heap.push({ event });
  };

  const release = (all: boolean): void => {
    if (inOrder) {
      for (;;) {
        const top = queue.peek();
        if (!top) return;
        const t = top.timestamp;
        if (!(all || t <= maxSeen - windowMs || queue.size > lookahead || queue.size > maxBuffered)) return;
        queue.shift();
        if (t > lastReleased) lastReleased = t;
        out.push(top);
      }
    }
    for (;;) {
      const top = heap.peek();
      if (!top) return;
      const t = top.event.timestamp;
      const due = all || Number.isNaN(t) || t <= maxSeen - windowMs || heap.size > maxBuffered;
      if (!due) return;
      if (!all && !Number.isNaN(t) && !(t <= maxSeen - windowMs)) capped = true;
      heap.pop();
      if (!Number.isNaN(t) && t > lastReleased) lastReleased = t;
      out.push(top.event);
    }
  };

  const take = (): ReplayEvent[] => {
    const batch = out;
    out = [];
    return batch;
  };

  try {
    // The head was read without releasing in between (as one read), then released once.
    for (const event of head) arrive(event);
    head.length = 0;
    release(false);
    for (const event of rest) {
      arrive(event);
      release(false);
    }
    rest = [];
    if (out.length) yield take();
    for (;;) {
      const r = await iterator.next();
      if (r.done) break;
      for (const event of r.value) {
        arrive(event);
        release(false);
      }
      if (out.length) yield take();
    }
    release(true);
    if (out.length) yield take();
  } finally {
    await iterator.return?.();
  }
  if (late > LATE_REPORTS) {
    options.onDiagnostic({
      file: options.file,
      line: 0,
      column: 0,
      severity: 'warning',
      code: 'dataset/late-event',
      message: capped
        ? `${late - LATE_REPORTS} more event(s) came after events replayed early (more than ${maxBuffered} events fell in one reorder window) and were replayed out of order (${late} in all)`
        : `${late - LATE_REPORTS} more event(s) came later than the ${formatDuration(windowMs)} reorder window and were replayed out of order (${late} in all)`,
      hint: lateHint(),
    });
  }
}

/**
 * Merges streams that are each in time order into one, in (timestamp, ordinal) order: the members
 * of a zip archive, each ordered on its own.
 */
export async function* mergeOrdered(streams: AsyncIterable<ReplayEvent>[]): AsyncGenerator<ReplayEvent> {
  const iterators = streams.map((s) => s[Symbol.asyncIterator]());
  const heap = new EventHeap<{ event: ReplayEvent; index: number }>();
  try {
    for (let i = 0; i < iterators.length; i++) {
      const r = await (iterators[i] as AsyncIterator<ReplayEvent>).next();
      if (!r.done) heap.push({ event: r.value, index: i });
    }
    for (;;) {
      const top = heap.pop();
      if (!top) break;
      yield top.event;
      const r = await (iterators[top.index] as AsyncIterator<ReplayEvent>).next();
      if (!r.done) heap.push({ event: r.value, index: top.index });
    }
  } finally {
    await Promise.all(iterators.map((it) => it.return?.()));
  }
}

/** `2021-05-12T09:14:03.1187312Z` shifted by `deltaMs`, keeping digits finer than a millisecond. */
export function shiftIsoTime(text: string, deltaMs: number): string | undefined {
  const t = Date.parse(text);
  if (!Number.isFinite(t)) return undefined;
  const shifted = new Date(t + deltaMs).toISOString();
  const fine = /\.\d{3}(\d+)Z$/.exec(text);
  return fine ? shifted.replace(/Z$/, `${fine[1]}Z`) : shifted;
}

/** Time fields of a canonical event that move with `@timestamp` when a dataset is rebased. */
const REBASED_FIELDS: ReadonlyArray<readonly string[]> = [['event', 'created'], ['event', 'start'], ['event', 'end'], ['event', 'ingested']];

function shiftDoc(doc: Record<string, unknown>, deltaMs: number): void {
  const ts = doc['@timestamp'];
  if (typeof ts === 'string') {
    const shifted = shiftIsoTime(ts, deltaMs);
    if (shifted) doc['@timestamp'] = shifted;
  } else if (typeof ts === 'number') {
    doc['@timestamp'] = ts + deltaMs;
  }
  for (const [parent, child] of REBASED_FIELDS) {
    const dotted = `${parent}.${child}`;
    const value = doc[dotted];
    if (typeof value === 'string') {
      const shifted = shiftIsoTime(value, deltaMs);
      if (shifted) doc[dotted] = shifted;
    }
    const obj = doc[parent as string];
    if (obj && typeof obj === 'object' && !Array.isArray(obj)) {
      const v = (obj as Record<string, unknown>)[child as string];
      if (typeof v === 'string') {
        const shifted = shiftIsoTime(v, deltaMs);
        if (shifted) (obj as Record<string, unknown>)[child as string] = shifted;
      }
    }
  }
}

/**
 * Shifts an ordered dataset so that its first timed event happens at `startMs`, every other event
 * keeping its distance from it (`--rebase`). The raw record under `winlog.*` keeps its own times.
 */
export async function* rebaseEvents(source: AsyncIterable<ReplayEvent>, startMs: number): AsyncGenerator<ReplayEvent> {
  let delta: number | undefined;
  for await (const event of source) {
    if (Number.isNaN(event.timestamp)) {
      yield event;
      continue;
    }
    delta ??= startMs - event.timestamp;
    if (delta !== 0) {
      shiftDoc(event.doc, delta);
      event.timestamp += delta;
    }
    yield event;
  }
}

/** `rebaseEvents` over batches. */
export async function* rebaseBatches(source: AsyncIterable<ReplayEvent[]>, startMs: number): AsyncGenerator<ReplayEvent[]> {
  let delta: number | undefined;
  for await (const batch of source) {
    for (const event of batch) {
      if (Number.isNaN(event.timestamp)) continue;
      delta ??= startMs - event.timestamp;
      if (delta !== 0) {
        shiftDoc(event.doc, delta);
        event.timestamp += delta;
      }
    }
    yield batch;
  }
}

/** `--rebase` / descriptor values: an ISO 8601 time with a zone (or `Z`); NaN when it is not one. */
export function parseRebaseTime(text: string): number {
  if (!/^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2}))?$/i.test(text.trim())) return NaN;
  const t = text.trim();
  // A date alone is midnight UTC, as Date.parse reads it.
  return Date.parse(t.replace(' ', 'T'));
}

/** `5m`, `30s`, `1h30m`, `250ms`, or a number of seconds → milliseconds; undefined when invalid. */
export function parseDuration(value: string | number): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) && value >= 0 ? value * 1000 : undefined;
  const text = value.replace(/\s+/g, '');
  if (/^\d+(?:\.\d+)?$/.test(text)) return Number(text) * 1000;
  const re = /(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)/gy;
  let total = 0;
  let consumed = 0;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    const unit = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 }[m[2] as 'ms' | 's' | 'm' | 'h' | 'd'];
    total += Number(m[1]) * unit;
    consumed = re.lastIndex;
  }
  return consumed === text.length && consumed > 0 ? total : undefined;
}
