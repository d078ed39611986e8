/**
 * Time ordering of a dataset's events with bounded memory: events are sorted in memory up to a
 * limit; beyond it, sorted runs spill to temporary NDJSON files and are merged k ways. Order is
 * (timestamp, ordinal): stable for equal times, and events without a time come first.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { open } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { readLines } from './readers/lines.js';
import type { ReplayEvent } from './types.js';

export const DEFAULT_SORT_BUFFER_LIMIT = 200_000;

export function compareReplayEvents(a: ReplayEvent, b: ReplayEvent): number {
  const an = Number.isNaN(a.timestamp);
  const bn = Number.isNaN(b.timestamp);
  if (an !== bn) return an ? -1 : 1;
  if (!an && a.timestamp !== b.timestamp) return a.timestamp - b.timestamp;
  return a.ordinal - b.ordinal;
}

interface SpilledEvent {
  t: number | null;
  o: number;
  k: string;
  d: ReplayEvent['doc'];
}

async function writeRun(file: string, events: ReplayEvent[]): Promise<void> {
  const handle = await open(file, 'w');
  try {
    const BATCH = 2000;
    for (let i = 0; i < events.length; i += BATCH) {
      let text = '';
      for (const e of events.slice(i, i + BATCH)) {
        const rec: SpilledEvent = { t: Number.isNaN(e.timestamp) ? null : e.timestamp, o: e.ordinal, k: e.key, d: e.doc };
        text += JSON.stringify(rec) + '\n';
      }
      await handle.write(text);
    }
  } finally {
    await handle.close();
  }
}

async function* readRun(file: string, dataset: string): AsyncGenerator<ReplayEvent> {
  for await (const { text } of readLines(file)) {
    if (!text) continue;
    const rec = JSON.parse(text) as SpilledEvent;
    yield { doc: rec.d, timestamp: rec.t === null ? NaN : rec.t, key: rec.k, dataset, ordinal: rec.o };
  }
}

/** A binary min-heap of run heads. */
class Heap {
  private items: Array<{ event: ReplayEvent; run: number }> = [];
  get size(): number {
    return this.items.length;
  }
  push(item: { event: ReplayEvent; run: number }): void {
    const a = this.items;
    a.push(item);
    let i = a.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (compareReplayEvents((a[p] as typeof item).event, item.event) <= 0) break;
      a[i] = a[p] as typeof item;
      i = p;
    }
    a[i] = item;
  }
  pop(): { event: ReplayEvent; run: number } | undefined {
    const a = this.items;
    const top = a[0];
    const last = a.pop();
    if (a.length && last) {
      // Sift the last item down from the root.
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = -1;
        let best = last;
        if (l < a.length && compareReplayEvents((a[l] as typeof last).event, best.event) < 0) {
          m = l;
          best = a[l] as typeof last;
        }
        if (r < a.length && compareReplayEvents((a[r] as typeof last).event, best.event) < 0) {
          m = r;
          best = a[r] as typeof last;
        }
        if (m < 0) break;
        a[i] = best;
        i = m;
      }
      a[i] = last;
    }
    return top;
  }
}

/**
 * Yield `source` in (timestamp, ordinal) order. Holds at most `limit` events in memory, plus one
 * head per spilled run while merging.
 */
export async function* sortByTime(
  source: AsyncIterable<ReplayEvent>,
  dataset: string,
  limit = DEFAULT_SORT_BUFFER_LIMIT,
  tmpDir?: string,
): AsyncGenerator<ReplayEvent> {
  let buffer: ReplayEvent[] = [];
  const runs: string[] = [];
  let dir: string | undefined;
  try {
    for await (const event of source) {
      buffer.push(event);
      if (buffer.length >= limit) {
        buffer.sort(compareReplayEvents);
        dir ??= mkdtempSync(path.join(tmpDir ?? os.tmpdir(), 'ruleproof-sort-'));
        const file = path.join(dir, `run-${runs.length}.ndjson`);
        await writeRun(file, buffer);
        runs.push(file);
        buffer = [];
      }
    }
    buffer.sort(compareReplayEvents);
    if (!runs.length) {
      yield* buffer;
      return;
    }
    // Merge the spilled runs with what is still in memory.
    const sources: Array<AsyncIterator<ReplayEvent> | Iterator<ReplayEvent>> = runs.map((f) => readRun(f, dataset)[Symbol.asyncIterator]());
    sources.push(buffer[Symbol.iterator]());
    const heap = new Heap();
    for (let i = 0; i < sources.length; i++) {
      const r = await (sources[i] as AsyncIterator<ReplayEvent>).next();
      if (!r.done) heap.push({ event: r.value, run: i });
    }
    while (heap.size) {
      const top = heap.pop() as { event: ReplayEvent; run: number };
      yield top.event;
      const r = await (sources[top.run] as AsyncIterator<ReplayEvent>).next();
      if (!r.done) heap.push({ event: r.value, run: top.run });
    }
  } finally {
    if (dir) rmSync(dir, { recursive: true, force: true });
  }
}
