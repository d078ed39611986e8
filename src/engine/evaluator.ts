/**
 * Streaming evaluation of compiled queries: detectors receive events in (timestamp, ordinal) order
 * and report alerts.
 *
 * Sequences follow Elasticsearch's matcher (`SequenceMatcher`): per join key and stage, an event of
 * stage N advances the most recent partial sequence that finished stage N-1 strictly before it, and
 * every older partial of that stage and key is dropped. Because events arrive in time order, only
 * the most recent partial per (key, stage) can ever be advanced, so the state is one slot per key and
 * stage, and memory is bounded by the number of live keys. With `maxspan`, a sequence whose first
 * and last events are more than maxspan apart is rejected (exactly maxspan is accepted), and partials
 * that can no longer complete are swept away periodically.
 *
 * Out-of-order input: detectors rely on the reader to deliver time-ordered events. An event that
 * arrives late (earlier than events already seen) is still evaluated, but a sequence never goes
 * back in time: such an event cannot advance a partial whose last event is later than itself.
 */
import type { CanonicalEvent, ReplayEvent } from '../events/types.js';
import type { Alert, Detector } from './types.js';
import type { Scalar } from './ir.js';
import type { Predicate } from './compile.js';

/** Reads the join-key values of one key expression: the distinct values (fan-out), or null when the event cannot join. */
export type KeyReader = (doc: CanonicalEvent) => Scalar[] | null;

export interface RuntimeStage {
  /** Category this stage accepts; null for `any`. */
  category: string | null;
  condition: Predicate;
  keys: KeyReader[];
  missing: boolean;
}

export interface CategoryIndex {
  /** Raw category value(s) of an event. */
  read: (doc: CanonicalEvent) => unknown;
}

export interface PipeSpec {
  kind: 'head' | 'tail';
  count: number;
}

// ---------------------------------------------------------------------------------------------
// Category indexing: each stage gets a bit; an event's category selects the stages it can meet.

class StageIndex {
  private readonly byCategory = new Map<string, number>();
  private anyMask = 0;

  constructor(
    stages: readonly { category: string | null }[],
    private readonly readCategory: (doc: CanonicalEvent) => unknown,
  ) {
    if (stages.length > 30) throw new Error('too many stages');
    stages.forEach((s, i) => {
      if (s.category === null) this.anyMask |= 1 << i;
      else this.byCategory.set(s.category, (this.byCategory.get(s.category) ?? 0) | (1 << i));
    });
  }

  /** Bit mask of the stages whose category accepts this event. */
  mask(doc: CanonicalEvent): number {
    let m = this.anyMask;
    if (this.byCategory.size === 0) return m;
    const raw = this.readCategory(doc);
    if (typeof raw === 'string') return m | (this.byCategory.get(raw) ?? 0);
    if (Array.isArray(raw)) {
      for (const c of raw) if (typeof c === 'string') m |= this.byCategory.get(c) ?? 0;
    }
    return m;
  }
}

// ---------------------------------------------------------------------------------------------
// Result buffering for pipes. Without pipes alerts stream out as they complete; with `head`/`tail`
// they are ordered as Elasticsearch orders results (by the first event) and cut.

class Output {
  private readonly buffer: Alert[] | undefined;
  private emitted = 0;
  private readonly headLimit: number;

  constructor(
    private readonly onAlert: (a: Alert) => void,
    private readonly pipes: readonly PipeSpec[],
    /** Event queries complete in first-event order, so `head` can stream. */
    private readonly ordered: boolean,
  ) {
    const onlyHeads = pipes.every((p) => p.kind === 'head');
    this.headLimit = onlyHeads && pipes.length ? Math.min(...pipes.map((p) => p.count)) : Infinity;
    this.buffer = pipes.length && !(ordered && onlyHeads) ? [] : undefined;
  }

  /** Whether more alerts can still be used (lets head-limited event queries stop early). */
  get open(): boolean {
    return this.buffer !== undefined || this.emitted < this.headLimit;
  }

  push(a: Alert): void {
    if (this.buffer) {
      this.buffer.push(a);
      return;
    }
    if (this.emitted >= this.headLimit) return;
    this.emitted++;
    this.onAlert(a);
  }

  finish(): void {
    if (!this.buffer) return;
    let list = this.buffer;
    if (!this.ordered) list.sort(byFirstEvent);
    for (const p of this.pipes) list = p.kind === 'head' ? list.slice(0, p.count) : list.slice(Math.max(0, list.length - p.count));
    this.buffer.length = 0;
    for (const a of list) this.onAlert(a);
  }
}

function compareEvents(a: ReplayEvent, b: ReplayEvent): number {
  const ta = Number.isNaN(a.timestamp) ? -Infinity : a.timestamp;
  const tb = Number.isNaN(b.timestamp) ? -Infinity : b.timestamp;
  if (ta !== tb) return ta < tb ? -1 : 1;
  if (a.dataset !== b.dataset) return a.dataset < b.dataset ? -1 : 1;
  return a.ordinal - b.ordinal;
}

function byFirstEvent(a: Alert, b: Alert): number {
  const n = Math.min(a.events.length, b.events.length);
  for (let i = 0; i < n; i++) {
    const c = compareEvents(a.events[i] as ReplayEvent, b.events[i] as ReplayEvent);
    if (c) return c;
  }
  return a.events.length - b.events.length;
}

// ---------------------------------------------------------------------------------------------
// Event queries.

export function eventDetector(
  stage: RuntimeStage,
  readCategory: (doc: CanonicalEvent) => unknown,
  pipes: readonly PipeSpec[],
  onAlert: (a: Alert) => void,
): Detector {
  const index = new StageIndex([stage], readCategory);
  const out = new Output(onAlert, pipes, true);
  const cond = stage.condition;
  return {
    push(event) {
      if (!out.open) return;
      if (index.mask(event.doc) === 0) return;
      if (!cond(event.doc)) return;
      out.push({ events: [event], timestamp: event.timestamp });
    },
    finish() {
      out.finish();
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Sequences.

interface Partial {
  /** One slot per stage; missing-event stages stay undefined. */
  events: Array<ReplayEvent | undefined>;
  first: ReplayEvent;
  last: ReplayEvent;
  keyValues: Scalar[];
}

interface KeyState {
  /** slots[s]: the most recent partial whose last matched positive stage is s. */
  slots: Array<Partial | undefined>;
  keyValues: Scalar[];
}

export interface SequenceSpec {
  stages: RuntimeStage[];
  until?: RuntimeStage;
  maxspanMs?: number;
}

/** Join-key strings of an event for a stage (cartesian product of fanned-out values), or null. */
function keysOf(stage: RuntimeStage, doc: CanonicalEvent): Array<{ id: string; values: Scalar[] }> | null {
  const n = stage.keys.length;
  if (n === 0) return SINGLE_EMPTY_KEY;
  if (n === 1) {
    const vs = (stage.keys[0] as KeyReader)(doc);
    if (!vs || vs.length === 0) return null;
    return vs.map((v) => ({ id: keyPart(v), values: [v] }));
  }
  let combos: Array<{ id: string; values: Scalar[] }> = [{ id: '', values: [] }];
  for (const reader of stage.keys) {
    const vs = reader(doc);
    if (!vs || vs.length === 0) return null;
    const next: Array<{ id: string; values: Scalar[] }> = [];
    for (const c of combos) for (const v of vs) next.push({ id: c.id + '\u0001' + keyPart(v), values: [...c.values, v] });
    combos = next;
  }
  return combos;
}

const SINGLE_EMPTY_KEY: Array<{ id: string; values: Scalar[] }> = [{ id: '', values: [] }];

function keyPart(v: Scalar): string {
  if (v === null) return 'null';
  return typeof v === 'string' ? 's' + v : typeof v === 'number' ? 'n' + v : 'b' + v;
}

export function sequenceDetector(
  spec: SequenceSpec,
  readCategory: (doc: CanonicalEvent) => unknown,
  pipes: readonly PipeSpec[],
  onAlert: (a: Alert) => void,
): Detector {
  const stages = spec.stages;
  const n = stages.length;
  const index = new StageIndex(stages, readCategory);
  const untilIndex = spec.until ? new StageIndex([spec.until], readCategory) : undefined;
  const out = new Output(onAlert, pipes, false);
  const maxspan = spec.maxspanMs;
  const positive: number[] = [];
  stages.forEach((s, i) => {
    if (!s.missing) positive.push(i);
  });
  const firstPositive = positive[0] as number;
  const lastPositive = positive[positive.length - 1] as number;
  /** For each positive stage, the previous positive stage (or -1). */
  const prevPositive = stages.map((_, i) => {
    for (let j = i - 1; j >= 0; j--) if (!(stages[j] as RuntimeStage).missing) return j;
    return -1;
  });
  /** For each missing stage, the positive stage before it (whose partials it kills). */
  const missingGuards = stages.map((s, i) => (s.missing ? prevPositive[i] as number : -1));

  const state = new Map<string, KeyState>();
  let seen = 0;
  let latest = -Infinity;

  const sweep = () => {
    if (maxspan === undefined) return;
    const horizon = latest - maxspan;
    for (const [id, ks] of state) {
      let live = false;
      for (let s = 0; s < n; s++) {
        const p = ks.slots[s];
        if (!p) continue;
        if (p.first.timestamp < horizon) ks.slots[s] = undefined;
        else live = true;
      }
      if (!live) state.delete(id);
    }
  };

  const complete = (p: Partial) => {
    const events: ReplayEvent[] = [];
    for (const e of p.events) if (e) events.push(e);
    out.push({ events, joinKey: p.keyValues, timestamp: p.last.timestamp });
  };

  return {
    push(event) {
      const doc = event.doc;
      if (!Number.isNaN(event.timestamp) && event.timestamp > latest) latest = event.timestamp;
      const mask = index.mask(doc);
      if (mask !== 0) {
        // Highest stage first, so one event never advances a partial it just created or moved.
        for (let s = n - 1; s >= 0; s--) {
          if ((mask & (1 << s)) === 0) continue;
          const stage = stages[s] as RuntimeStage;
          if (!stage.condition(doc)) continue;
          const keys = keysOf(stage, doc);
          if (!keys) continue;
          for (const k of keys) {
            if (stage.missing) {
              const guard = missingGuards[s] as number;
              const ks = state.get(k.id);
              if (ks && guard >= 0) {
                const p = ks.slots[guard];
                if (p && compareEvents(p.last, event) < 0) ks.slots[guard] = undefined;
              }
              continue;
            }
            if (s === firstPositive) {
              const p: Partial = { events: new Array(n), first: event, last: event, keyValues: k.values };
              p.events[s] = event;
              if (s === lastPositive) {
                complete(p);
                continue;
              }
              let ks = state.get(k.id);
              if (!ks) state.set(k.id, (ks = { slots: new Array(n), keyValues: k.values }));
              ks.slots[s] = p;
              continue;
            }
            const ks = state.get(k.id);
            if (!ks) continue;
            const prev = prevPositive[s] as number;
            const p = ks.slots[prev];
            if (!p || compareEvents(p.last, event) >= 0) continue;
            ks.slots[prev] = undefined;
            if (maxspan !== undefined && event.timestamp - p.first.timestamp > maxspan) continue;
            p.events[s] = event;
            p.last = event;
            if (s === lastPositive) complete(p);
            else ks.slots[s] = p;
          }
        }
      }
      if (spec.until && untilIndex && untilIndex.mask(doc) !== 0 && spec.until.condition(doc)) {
        const keys = keysOf(spec.until, doc);
        if (keys) for (const k of keys) state.delete(k.id);
      }
      if (maxspan !== undefined && ++seen % 4096 === 0) sweep();
    },
    finish() {
      state.clear();
      out.finish();
    },
  };
}
