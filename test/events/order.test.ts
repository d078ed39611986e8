/**
 * Replay order with bounded memory: whole sort for small datasets, streaming for in-order ones,
 * windowed reordering for the rest, late events reported; zip members merged; --rebase.
 */
import path from 'node:path';
import t from 'tap';
import { configureDatasetReading, openDataset } from '../../src/events/dataset.js';
import { descriptorProblems } from '../../src/events/descriptor.js';
import { defaultMaxBuffered, lineOfKey, mergeOrdered, orderByTime, parseDuration, parseRebaseTime, rebaseEvents, shiftIsoTime, type TimeOrderOptions } from '../../src/events/order.js';
import type { ReadOptions, ReplayEvent } from '../../src/events/types.js';
import type { Diagnostic } from '../../src/util/diagnostics.js';
import { repoRoot } from './helpers.js';

const T0 = Date.UTC(2021, 0, 1);
const ev = (seconds: number, line: number): ReplayEvent => ({
  doc: { '@timestamp': Number.isNaN(seconds) ? undefined : new Date(T0 + seconds * 1000).toISOString(), n: line },
  timestamp: T0 + seconds * 1000,
  key: `line:${line}`,
  dataset: 'd.ndjson',
  ordinal: line - 1,
});

/** Runs `orderByTime` over `times` (seconds), recording how many events were read when each came out. */
async function run(times: number[], options: Partial<TimeOrderOptions> = {}) {
  const diagnostics: Diagnostic[] = [];
  let pulled = 0;
  const held: number[] = [];
  async function* source(): AsyncGenerator<ReplayEvent> {
    for (let i = 0; i < times.length; i++) {
      pulled++;
      yield ev(times[i] as number, i + 1);
    }
  }
  const out: ReplayEvent[] = [];
  for await (const e of orderByTime(source(), { file: 'd.ndjson', onDiagnostic: (d) => diagnostics.push(d), ...options })) {
    held.push(pulled - out.length - 1);
    out.push(e);
  }
  return { lines: out.map((e) => lineOfKey(e.key)), out, diagnostics, maxHeld: Math.max(0, ...held) };
}

t.test('a small dataset is sorted whole; events without a time first; ties in file order', async (t) => {
  const r = await run([5, 1, NaN, 1, 0]);
  t.same(r.lines, [3, 5, 2, 4, 1]);
  t.same(r.diagnostics, []);
});

t.test('a large dataset in order streams as it is, holding only the lookahead', async (t) => {
  const times = Array.from({ length: 5000 }, (_, i) => Math.floor(i / 3));
  const r = await run(times, { wholeSortLimit: 100, lookahead: 20 });
  t.same(r.lines, times.map((_, i) => i + 1));
  t.same(r.diagnostics, [], 'nothing to report');
  t.ok(r.maxHeld <= 101, `at most the first head is held (${r.maxHeld})`);
  const after = await run(times.slice(0, 5000), { wholeSortLimit: 100, lookahead: 20 });
  t.ok(after.maxHeld <= 101);
  // Past the head, the lookahead bounds what is held.
  const steady = (await (async () => {
    let pulled = 0;
    let maxLag = 0;
    let yielded = 0;
    async function* source(): AsyncGenerator<ReplayEvent> {
      for (let i = 0; i < times.length; i++) {
        pulled++;
        yield ev(times[i] as number, i + 1);
      }
    }
    for await (const _ of orderByTime(source(), { file: 'd', onDiagnostic: () => {}, wholeSortLimit: 100, lookahead: 20 })) {
      yielded++;
      if (yielded > 200) maxLag = Math.max(maxLag, pulled - yielded);
    }
    return maxLag;
  })());
  t.ok(steady <= 21, `steady state holds the lookahead (${steady})`);
});

t.test('a large dataset out of order is reordered within the window, holding one window of events', async (t) => {
  // Two channels interleaved by a collector: the second runs 30 s behind the first.
  const times: number[] = [];
  for (let i = 0; i < 2000; i++) times.push(i, i - 30);
  const r = await run(times, { wholeSortLimit: 100, lookahead: 10, windowMs: 60_000 });
  const sorted = r.out.map((e) => e.timestamp);
  t.same(sorted, [...sorted].sort((a, b) => a - b), 'in time order');
  t.equal(r.out.length, 4000);
  t.same(r.diagnostics.map((d) => [d.code, d.severity]), [['dataset/reordered', 'info']]);
  t.match(r.diagnostics[0]?.message, /not in time order \(line 2 goes back 30s\); events are reordered within a 1m window/);
  t.ok(r.maxHeld <= 2 * 91 + 100, `about one window of events held (${r.maxHeld})`);
  for (let i = 1; i < r.out.length; i++) {
    const a = r.out[i - 1] as ReplayEvent;
    const b = r.out[i] as ReplayEvent;
    if (a.timestamp === b.timestamp && a.ordinal > b.ordinal) t.fail('ties keep file order');
  }
});

t.test('an event later than the window is reported with its line and replayed at once', async (t) => {
  const times = Array.from({ length: 400 }, (_, i) => i * 10);
  times.splice(300, 0, 100); // line 301: 100 s, after events up to ~2990 s
  const r = await run(times, { wholeSortLimit: 50, lookahead: 5, windowMs: 300_000 });
  t.equal(r.out.length, 401);
  const late = r.diagnostics.filter((d) => d.code === 'dataset/late-event');
  t.equal(late.length, 1);
  t.equal(late[0]?.line, 301);
  t.equal(late[0]?.severity, 'warning');
  t.match(late[0]?.message, /^line 301 \(2021-01-01T00:01:40\.000Z\) comes \d+m( \d+s)? after events that were already replayed, beyond the 5m reorder window; it is replayed out of order$/);
  t.match(late[0]?.hint, /reorder_window/);
  const at = r.lines.indexOf(301);
  t.ok(at > 200 && at < 301, 'replayed where it was read, not dropped');
});

t.test('a window denser than the cap: the oldest leave early, a late event names the limit to raise', async (t) => {
  // 300 events within one minute, out of order at the start; the window is 5 minutes, the cap 50.
  const times = Array.from({ length: 300 }, (_, i) => 1 + i * 0.2);
  times[1] = 0.5; // out of order: reordering starts
  times.push(0); // line 301: older than everything, after the cap has released events
  const r = await run(times, { wholeSortLimit: 20, lookahead: 5, windowMs: 300_000, maxBuffered: 50 });
  t.equal(r.out.length, 301, 'nothing dropped');
  t.ok(r.maxHeld <= 51, `at most the cap held (${r.maxHeld})`);
  const late = r.diagnostics.filter((d) => d.code === 'dataset/late-event');
  t.equal(late.length, 1);
  t.equal(late[0]?.line, 301);
  t.match(late[0]?.message, /more than 50 events fell in one reorder window, so the oldest were replayed early/);
  t.match(late[0]?.hint, /RULEPROOF_MAX_REORDER_EVENTS/);
  // Fifteen late events: ten reported, the rest summed up, all saying the cap is the cause.
  const many = await run([...times, ...Array.from({ length: 14 }, () => 0)], { wholeSortLimit: 20, lookahead: 5, windowMs: 300_000, maxBuffered: 50 });
  const manyLate = many.diagnostics.filter((d) => d.code === 'dataset/late-event');
  t.equal(manyLate.length, 11);
  t.match(manyLate[10]?.message, /^5 more event\(s\) came after events replayed early \(more than 50 events fell in one reorder window\).*15 in all/);
  t.ok(manyLate.every((d) => /RULEPROOF_MAX_REORDER_EVENTS/.test(d.hint ?? '')));
  // With room for the whole window the same stream comes out in time order, nothing late.
  const roomy = await run(times, { wholeSortLimit: 20, lookahead: 5, windowMs: 300_000, maxBuffered: 1000 });
  t.same(roomy.diagnostics.filter((d) => d.code === 'dataset/late-event'), []);
  t.same(roomy.lines.slice(0, 4), [301, 2, 1, 3]);
});

t.test('the reorder cap comes from RULEPROOF_MAX_REORDER_EVENTS (default 10,000)', async (t) => {
  t.equal(defaultMaxBuffered(), 10_000);
  const saved = process.env.RULEPROOF_MAX_REORDER_EVENTS;
  process.env.RULEPROOF_MAX_REORDER_EVENTS = '40';
  t.teardown(() => {
    if (saved === undefined) delete process.env.RULEPROOF_MAX_REORDER_EVENTS;
    else process.env.RULEPROOF_MAX_REORDER_EVENTS = saved;
  });
  t.equal(defaultMaxBuffered(), 40);
  const times = Array.from({ length: 300 }, (_, i) => 300 - i); // backwards: every event out of order
  const r = await run(times, { wholeSortLimit: 20, lookahead: 5, windowMs: 300_000 });
  t.equal(r.out.length, 300);
  t.ok(r.maxHeld <= 41, `the environment's cap holds (${r.maxHeld} held)`);
});

t.test('many late events: ten reported, the rest summed up', async (t) => {
  const times = Array.from({ length: 300 }, (_, i) => i * 100);
  for (let k = 0; k < 15; k++) times.push(0);
  const r = await run(times, { wholeSortLimit: 20, lookahead: 5, windowMs: 60_000 });
  const late = r.diagnostics.filter((d) => d.code === 'dataset/late-event');
  t.equal(late.length, 11);
  t.match(late[10]?.message, /^5 more event\(s\) came later than the 1m reorder window .*15 in all/);
});

t.test('events without a time in a large dataset are replayed where they are read', async (t) => {
  const times = Array.from({ length: 300 }, (_, i) => i);
  times[150] = NaN;
  const r = await run(times, { wholeSortLimit: 20, lookahead: 5 });
  t.equal(r.out.length, 300);
  const at = r.lines.indexOf(151);
  t.ok(at >= 140 && at <= 151, `near its place (${at})`);
});

t.test('mergeOrdered merges ordered streams by time, ties by ordinal', async (t) => {
  async function* s(items: ReplayEvent[]): AsyncGenerator<ReplayEvent> {
    yield* items;
  }
  const a = [ev(1, 1), ev(3, 2), ev(5, 3)];
  const b = [ev(2, 1), ev(3, 2), ev(4, 3)].map((e) => ({ ...e, ordinal: e.ordinal + 2 ** 32, key: `m!${e.key}` }));
  const out: string[] = [];
  for await (const e of mergeOrdered([s(a), s(b), s([])])) out.push(`${e.timestamp - T0}:${e.key}`);
  t.same(out, ['1000:line:1', '2000:m!line:1', '3000:line:2', '3000:m!line:2', '4000:m!line:3', '5000:line:3']);
});

t.test('rebase: the first event moves to the chosen time, the others keep their distance', async (t) => {
  async function* s(): AsyncGenerator<ReplayEvent> {
    yield { ...ev(NaN, 1) };
    const a = ev(10, 2);
    a.doc['@timestamp'] = '2021-01-01T00:00:10.1234567Z';
    a.doc.event = { created: '2021-01-01T00:00:09.000Z', code: '1' };
    yield a;
    const b = ev(70, 3);
    b.doc['event.created'] = '2021-01-01T00:01:09Z';
    yield b;
  }
  const start = parseRebaseTime('2024-06-01T12:00:00Z');
  const out: ReplayEvent[] = [];
  for await (const e of rebaseEvents(s(), start)) out.push(e);
  t.ok(Number.isNaN(out[0]?.timestamp), 'untimed events stay untimed');
  t.equal(out[1]?.timestamp, start);
  t.equal(out[1]?.doc['@timestamp'], '2024-06-01T12:00:00.1234567Z', 'digits finer than a millisecond kept');
  t.same(out[1]?.doc.event, { created: '2024-06-01T11:59:59.000Z', code: '1' });
  t.equal(out[2]?.timestamp, start + 60_000);
  t.equal(out[2]?.doc['@timestamp'], '2024-06-01T12:01:00.000Z');
  t.equal(out[2]?.doc['event.created'], '2024-06-01T12:00:59.000Z', 'dotted keys too');
  t.equal(shiftIsoTime('not a time', 5), undefined);
});

t.test('parsing durations and rebase times', async (t) => {
  t.equal(parseDuration('5m'), 300_000);
  t.equal(parseDuration('1h 30m'), 5_400_000);
  t.equal(parseDuration('250ms'), 250);
  t.equal(parseDuration(90), 90_000);
  t.equal(parseDuration('90'), 90_000);
  t.equal(parseDuration('5 minutes'), undefined);
  t.equal(parseRebaseTime('2024-01-31T09:00:00+02:00'), Date.UTC(2024, 0, 31, 7));
  t.equal(parseRebaseTime('2024-01-31'), Date.UTC(2024, 0, 31));
  t.ok(Number.isNaN(parseRebaseTime('2024-01-31T09:00:00')), 'a time without a zone is refused');
  t.ok(Number.isNaN(parseRebaseTime('yesterday')));
});

async function replay(file: string, root: string, extra: Partial<ReadOptions> = {}) {
  const diagnostics: Diagnostic[] = [];
  const events: ReplayEvent[] = [];
  for await (const e of openDataset(file, { root, onDiagnostic: (d) => diagnostics.push(d), ...extra })) events.push(e);
  return { events, diagnostics };
}

const line = (seconds: number, n: number) => JSON.stringify({ '@timestamp': new Date(T0 + seconds * 1000).toISOString(), event: { code: '1' }, n });

t.test('openDataset: the descriptor sets the reorder window and the rebase; read options win', async (t) => {
  const times: number[] = [];
  for (let i = 0; i < 300; i++) times.push(i * 10);
  times.splice(200, 0, 1000); // 1000 s among events near 2000 s: within 20 m, beyond 5 m
  const text = times.map((s, i) => line(s, i + 1)).join('\r\n');
  const root = t.testdir({
    'default.ndjson': text,
    'wide.ndjson': text,
    'wide.ndjson.meta.yml': 'reorder_window: 20m\nrebase: "2024-06-01T00:00:00Z"\n',
  });
  const small = { wholeSortLimit: 50 };
  const byDefault = await replay('default.ndjson', root, small);
  t.same(byDefault.diagnostics.filter((d) => d.code === 'dataset/late-event').map((d) => d.line), [201], 'late beyond the default 5 minutes, with its line');
  const wide = await replay('wide.ndjson', root, small);
  t.same(wide.diagnostics.filter((d) => d.code === 'dataset/late-event'), [], 'within the 20 minute window');
  const ts = wide.events.map((e) => e.timestamp);
  t.same(ts, [...ts].sort((a, b) => a - b), 'reordered');
  t.equal(wide.events[0]?.doc['@timestamp'], '2024-06-01T00:00:00.000Z', 'rebased from the descriptor');
  const option = await replay('wide.ndjson', root, { ...small, rebase: '2030-01-01T00:00:00Z', reorderWindowMs: 1000 });
  t.equal(option.events[0]?.doc['@timestamp'], '2030-01-01T00:00:00.000Z', 'read options win');
  t.ok(option.diagnostics.some((d) => d.code === 'dataset/late-event'), 'and so does their window');
  const exact = await replay('default.ndjson', root, { ...small, timeOrder: 'sort' });
  const exactTs = exact.events.map((e) => e.timestamp);
  t.same(exactTs, [...exactTs].sort((a, b) => a - b), 'the external sort is exact whatever the disorder');
  t.same(exact.diagnostics, []);
});

t.test('configureDatasetReading: run-wide defaults (--rebase) apply to every openDataset', async (t) => {
  const file = path.join(repoRoot, 'datasets/evtx-attack-samples/lateral_movement/LM_winrm_exec_sysmon_1_winrshost.evtx');
  configureDatasetReading({ rebase: '2025-01-01T00:00:00Z' });
  try {
    const { events } = await replay(file, repoRoot);
    t.match(events[0]?.doc['@timestamp'], /^2025-01-01T00:00:00\.000\d*Z$/);
    t.equal(events[0]?.timestamp, Date.UTC(2025, 0, 1));
    const bad = await replay(file, repoRoot, { rebase: 'soon' }).catch((err: { diagnostic?: Diagnostic }) => err.diagnostic);
    t.match(bad, { code: 'dataset/rebase', message: /cannot rebase to "soon"/ });
  } finally {
    configureDatasetReading({});
  }
  const { events } = await replay(file, repoRoot);
  t.not(events[0]?.timestamp, Date.UTC(2025, 0, 1), 'defaults cleared');
});

t.test('descriptor validation of the new keys', async (t) => {
  const root = t.testdir({
    'good.meta.yml': 'reorder_window: 90s\nmax_decompressed_size: 2GiB\nmax_compression_ratio: 500\nrebase: 2024-01-31T09:00:00Z\n',
    'bad.meta.yml': 'reorder_window: soon\nmax_decompressed_size: huge\nmax_compression_ratio: 0.5\nrebase: 2024-01-31T09:00:00\n',
  });
  t.same(descriptorProblems(path.join(root, 'good.meta.yml'), root).errors, []);
  const bad = descriptorProblems(path.join(root, 'bad.meta.yml'), root).errors;
  t.same([...new Set(bad.map((d) => d.line))], [1, 2, 3, 4], 'each bad key reported on its line');
});
