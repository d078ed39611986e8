/**
 * Sequence state is bounded by maxspan: partial sequences that can no longer complete are evicted,
 * so a stream of first-stage events under ever new join keys holds at most maxspan's worth of them
 * (plus one sweep interval), while results stay exact, and sweeping costs O(1) per event however many
 * partials wait. Without maxspan, state is one slot per key.
 */
import t from 'tap';
import { compileQuery } from '../../src/engine/index.js';
import type { Alert, CompiledQuery } from '../../src/engine/types.js';
import type { ReplayEvent } from '../../src/events/types.js';

interface Live {
  liveState(): { keys: number; partials: number; pending: number; swept: number };
}

function compile(text: string): CompiledQuery {
  const r = compileQuery(text, { language: 'eql', fieldView: 'ecs' });
  if (!r.ok) throw new Error(r.errors[0]?.message);
  return r.query;
}

function ev(ordinal: number, ms: number, host: string, name: string): ReplayEvent {
  return { doc: { event: { category: ['process'] }, host: { id: host }, process: { name } }, timestamp: ms, key: `line:${ordinal + 1}`, dataset: 'd', ordinal };
}

const SWEEP = 4096;

t.test('expired partials are evicted', async (t) => {
  const q = compile('sequence by host.id with maxspan=1s [process where process.name == "a.exe"] [process where process.name == "b.exe"]');
  const alerts: Alert[] = [];
  const det = q.newDetector((a) => alerts.push(a)) as ReturnType<CompiledQuery['newDetector']> & Live;
  t.type(det.liveState, 'function');
  let peak = 0;
  const N = 60_000;
  for (let i = 0; i < N; i++) {
    // one event per millisecond, each under a new key: 1,000 keys live within any maxspan
    det.push(ev(i, i, `host-${i}`, 'a.exe'));
    peak = Math.max(peak, det.liveState().partials);
  }
  t.ok(peak <= 1000 + SWEEP + 1, `partials stay bounded (peak ${peak} for ${N} keys)`);
  // a key within maxspan still completes, one beyond it does not
  det.push(ev(N, N + 500, `host-${N - 1}`, 'b.exe'));
  det.push(ev(N + 1, N + 600, 'host-0', 'b.exe'));
  det.finish();
  t.equal(alerts.length, 1);
  t.same(alerts[0]?.events.map((e) => e.key), [`line:${N}`, `line:${N + 1}`]);
  t.equal(det.liveState().partials, 0, 'finish clears everything');
});

t.test('sweeping costs at most two keys visited per event, however many partials wait', async (t) => {
  // maxspan of an hour and one event per millisecond: every partial stays live, and they pile up.
  const q = compile('sequence by host.id with maxspan=1h [process where process.name == "a.exe"] [process where process.name == "b.exe"]');
  const det = q.newDetector(() => {}) as ReturnType<CompiledQuery['newDetector']> & Live;
  const N = 100_000;
  for (let i = 0; i < N; i++) det.push(ev(i, i, `host-${i}`, 'a.exe'));
  for (let i = 0; i < N; i++) det.push(ev(N + i, N + i, `other-${i % 100}`, 'b.exe'));
  const { partials, swept } = det.liveState();
  t.equal(partials, N, 'nothing expired, nothing lost');
  // A sweep every 4,096 events would have visited the growing key set 48 times (about 2.4 million keys).
  t.ok(swept <= 2 * (2 * N) + SWEEP, `keys visited by sweeps: ${swept} for ${2 * N} events`);
});

t.test('without maxspan, state is one partial per key and stage', async (t) => {
  const q = compile('sequence by host.id [process where process.name == "a.exe"] [process where process.name == "b.exe"]');
  const det = q.newDetector(() => {}) as ReturnType<CompiledQuery['newDetector']> & Live;
  for (let i = 0; i < 10_000; i++) det.push(ev(i, i, `host-${i % 100}`, 'a.exe'));
  t.equal(det.liveState().partials, 100, 'a newer partial of a key replaces the older one');
  t.equal(det.liveState().keys, 100);
});

t.test('until clears the partials of its key', async (t) => {
  const q = compile('sequence by host.id with maxspan=1h [process where process.name == "a.exe"] [process where process.name == "b.exe"] until [process where process.name == "stop.exe"]');
  const det = q.newDetector(() => {}) as ReturnType<CompiledQuery['newDetector']> & Live;
  for (let i = 0; i < 50; i++) det.push(ev(i, i, `host-${i % 5}`, 'a.exe'));
  t.equal(det.liveState().keys, 5);
  det.push(ev(50, 50, 'host-3', 'stop.exe'));
  t.equal(det.liveState().keys, 4);
});
