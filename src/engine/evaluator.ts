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
  private readonly narrowFlags = new Uint8Array(30);
  /** Sequences with more than 30 stages (`with runs=60`): one flag per stage instead of a bit. */
  private readonly wide: { byCategory: Map<string, number[]>; any: number[]; flags: Uint8Array } | undefined;

  constructor(
    stages: readonly { category: string | null }[],
    private readonly readCategory: (doc: CanonicalEvent) => unknown,
  ) {
    if (stages.length > 30) {
      const byCategory = new Map<string, number[]>();
      const any: number[] = [];
      stages.forEach((s, i) => {
        if (s.category === null) any.push(i);
        else byCategory.set(s.category, [...(byCategory.get(s.category) ?? []), i]);
      });
      this.wide = { byCategory, any, flags: new Uint8Array(stages.length) };
      return;
    }
    this.wide = undefined;
    stages.forEach((s, i) => {
      if (s.category === null) this.anyMask |= 1 << i;
      else this.byCategory.set(s.category, (this.byCategory.get(s.category) ?? 0) | (1 << i));
    });
  }

  /** Bit mask of the stages whose category accepts this event (at most 30 stages). */
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

  /**
   * One flag per stage (1: its category accepts the event), for any number of stages; the array is
   * reused from call to call.
   */
  flags(doc: CanonicalEvent): Uint8Array {
    const wide = this.wide;
    if (!wide) {
      const m = this.mask(doc);
      const out = this.narrowFlags;
      for (let i = 0; i < 30; i++) out[i] = (m >>> i) & 1;
      return out;
    }
    const out = wide.flags;
    out.fill(0);
    for (const i of wide.any) out[i] = 1;
    if (wide.byCategory.size === 0) return out;
    const raw = this.readCategory(doc);
    const mark = (c: unknown) => {
      const list = typeof c === 'string' ? wide.byCategory.get(c) : undefined;
      if (list) for (const i of list) out[i] = 1;
    };
    if (Array.isArray(raw)) raw.forEach(mark);
    else mark(raw);
    return out;
  }

  get isWide(): boolean {
    return this.wide !== undefined;
  }
}

// ---------------------------------------------------------------------------------------------
// Result buffering for pipes. Without pipes alerts stream out as they complete; with `head`/`tail`
// they are ordered as Elasticsearch orders results (by time; sequences by their last event) and cut.

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
    if (!this.ordered) list.sort(byLastEvent);
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

/** Elasticsearch orders sequences by their last event (the order in which they complete). */
function byLastEvent(a: Alert, b: Alert): number {
  const c = compareEvents(a.events[a.events.length - 1] as ReplayEvent, b.events[b.events.length - 1] as ReplayEvent);
  if (c) return c;
  return compareEvents(a.events[0] as ReplayEvent, b.events[0] as ReplayEvent);
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
  /** One slot per stage; missing-event stages stay null. */
  events: Array<ReplayEvent | null>;
  first: ReplayEvent;
  last: ReplayEvent;
  keyId: string;
  keyValues: Scalar[];
  /** Earliest time of a missing-stage event seen in the gap the partial is waiting in. */
  gapTaint: number | undefined;
  /** A missing-stage event fell strictly between two of its events: it completes, but is dropped. */
  discarded: boolean;
}

interface KeyState {
  /** slots[s]: the most recent partial whose last matched positive stage is s. */
  slots: Array<Partial | undefined>;
}

/** A completed sequence waiting to learn whether a trailing missing-stage event follows it. */
interface Pending {
  partial: Partial;
  lastLeading: number | null;
  /** Once the newest timestamp passes this, no trailing event can reject the sequence. */
  deadline: number;
}

export interface SequenceDetector extends Detector {
  /** What the detector holds now: join keys, partial sequences, completed ones awaiting a trailing missing stage. */
  liveState(): { keys: number; partials: number; pending: number };
}

export interface SequenceSpec {
  stages: RuntimeStage[];
  until?: RuntimeStage;
  maxspanMs?: number;
}

interface KeyCombo {
  id: string;
  values: Scalar[];
}

const SINGLE_EMPTY_KEY: KeyCombo[] = [{ id: '', values: [] }];

/** Join keys of an event for a stage (cartesian product of fanned-out values), or null. */
export function keysOf(keys: readonly KeyReader[], doc: CanonicalEvent): KeyCombo[] | null {
  const n = keys.length;
  if (n === 0) return SINGLE_EMPTY_KEY;
  if (n === 1) {
    const vs = (keys[0] as KeyReader)(doc);
    if (!vs || vs.length === 0) return null;
    if (vs.length === 1) return [{ id: keyPart(vs[0] as Scalar), values: vs }];
    return vs.map((v) => ({ id: keyPart(v), values: [v] }));
  }
  let combos: KeyCombo[] = [{ id: '', values: [] }];
  for (const reader of keys) {
    const vs = reader(doc);
    if (!vs || vs.length === 0) return null;
    const next: KeyCombo[] = [];
    for (const c of combos) for (const v of vs) next.push({ id: c.id + '\u0001' + keyPart(v), values: [...c.values, v] });
    combos = next;
  }
  return combos;
}

function keyPart(v: Scalar): string {
  if (v === null) return 'null';
  return typeof v === 'string' ? 's' + v : typeof v === 'number' ? 'n' + v : 'b' + v;
}

/**
 * Missing-event stages (`![…]`) follow Elasticsearch: a completed sequence is dropped when an event
 * of a missing stage with the same key lies strictly (by timestamp) between its neighbouring
 * events. Leading and trailing missing stages look before the first and after the last event:
 * the sequence is dropped when such events exist on the sides it has, unless the span they would
 * make exceeds maxspan.
 */
export function sequenceDetector(
  spec: SequenceSpec,
  readCategory: (doc: CanonicalEvent) => unknown,
  pipes: readonly PipeSpec[],
  onAlert: (a: Alert) => void,
): SequenceDetector {
  const stages = spec.stages;
  const n = stages.length;
  const index = new StageIndex(stages, readCategory);
  const untilIndex = spec.until ? new StageIndex([spec.until], readCategory) : undefined;
  const out = new Output(onAlert, pipes, false);
  const maxspan = spec.maxspanMs;
  const isMissing = stages.map((s) => s.missing);
  const prevPositive = stages.map((_, i) => {
    for (let j = i - 1; j >= 0; j--) if (!isMissing[j]) return j;
    return -1;
  });
  const firstPositive = isMissing.indexOf(false);
  const lastPositive = isMissing.lastIndexOf(false);
  const hasLeading = firstPositive > 0;
  const hasTrailing = lastPositive < n - 1;

  const state = new Map<string, KeyState>();
  /** Leading missing-stage hits per key: timestamps ascending (with maxspan, only the recent ones matter). */
  const leadingHits = new Map<string, number[]>();
  const pending: Pending[] = [];
  let seen = 0;
  /**
   * When the next sweep is due, in events seen: 4,096 events after the last one, or as many events as
   * there were keys left after it if more. A sweep visits every key, so sweeping at a fixed interval
   * made the cost per event grow with the partials pending (measured: 1.5 µs per event with 1,000
   * pending, 5.3 µs with 100,000); this way a sweep of S keys comes at least S events after the last,
   * and each event pays for at most two keys visited. State stays bounded: between sweeps at most
   * that many partials are added.
   */
  let nextSweep = SWEEP_EVENTS;
  /** Keys visited by sweeps so far (for tests: sweeping must cost O(1) per event). */
  let swept = 0;
  /** Event time of the last sweep: a detector that sees few events (the dispatcher offers it only
   * those it can use) still sweeps once per maxspan of event time. */
  let sweptAt = -Infinity;
  let latest = -Infinity;

  const exceeds = (from: number | null, to: number | null) => from === null || to === null || (maxspan !== undefined && to - from > maxspan);

  const emit = (p: Partial) => {
    const events: ReplayEvent[] = [];
    for (const e of p.events) if (e) events.push(e);
    out.push({ events, stages: p.events, joinKey: p.keyValues, timestamp: p.last.timestamp });
  };

  const lastLeadingBefore = (keyId: string, t: number): number | null => {
    const hits = leadingHits.get(keyId);
    if (!hits) return null;
    for (let i = hits.length - 1; i >= 0; i--) if ((hits[i] as number) < t) return hits[i] as number;
    return null;
  };

  const complete = (p: Partial) => {
    if (p.discarded) return;
    const lastLeading = hasLeading ? lastLeadingBefore(p.keyId, p.first.timestamp) : null;
    if (!hasTrailing) {
      if (!hasLeading || exceeds(lastLeading, p.last.timestamp)) emit(p);
      return;
    }
    if (hasLeading && lastLeading === null) {
      emit(p);
      return;
    }
    const from = hasLeading ? (lastLeading as number) : p.first.timestamp;
    pending.push({ partial: p, lastLeading, deadline: maxspan === undefined ? Infinity : from + maxspan });
  };

  /** A trailing missing-stage event at time t for a key: it decides the pending sequences it follows. */
  const trailingHit = (keyId: string, t: number) => {
    for (let i = 0; i < pending.length; i++) {
      const w = pending[i] as Pending;
      if (w.partial.keyId !== keyId || !(t > w.partial.last.timestamp)) continue;
      pending.splice(i--, 1);
      const from = hasLeading ? w.lastLeading : w.partial.first.timestamp;
      if (exceeds(from, t)) emit(w.partial);
    }
  };

  const expirePending = () => {
    for (let i = 0; i < pending.length; i++) {
      const w = pending[i] as Pending;
      if (latest > w.deadline) {
        pending.splice(i--, 1);
        emit(w.partial);
      }
    }
  };

  const sweep = () => {
    if (maxspan === undefined) return;
    const horizon = latest - maxspan;
    swept += state.size + leadingHits.size;
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
    for (const [id, hits] of leadingHits) {
      let k = 0;
      while (k < hits.length - 1 && (hits[k] as number) < horizon) k++;
      if (k) hits.splice(0, k);
      if (hits.length === 1 && (hits[0] as number) < horizon) leadingHits.delete(id);
    }
  };

  const missingEvent = (s: number, keyId: string, event: ReplayEvent) => {
    const t = event.timestamp;
    if (s < firstPositive) {
      let hits = leadingHits.get(keyId);
      if (!hits) leadingHits.set(keyId, (hits = []));
      if (hits.length === 0 || (hits[hits.length - 1] as number) < t) {
        // Without maxspan only the earliest hit matters (any hit before the start rejects).
        if (maxspan === undefined && hits.length) return;
        hits.push(t);
      }
      return;
    }
    if (s > lastPositive) {
      trailingHit(keyId, t);
      return;
    }
    const ks = state.get(keyId);
    const p = ks?.slots[prevPositive[s] as number];
    if (p && t > p.last.timestamp && p.gapTaint === undefined) p.gapTaint = t;
  };

  /** An event whose category stage `s` accepts: the stage's condition, then its join keys. */
  const offerToStage = (s: number, event: ReplayEvent): void => {
    const doc = event.doc;
    const stage = stages[s] as RuntimeStage;
    if (!stage.condition(doc)) return;
    const keys = keysOf(stage.keys, doc);
    if (!keys) return;
    for (const k of keys) {
      if (stage.missing) {
        missingEvent(s, k.id, event);
        continue;
      }
      if (s === firstPositive) {
        const p: Partial = {
          events: new Array<ReplayEvent | null>(n).fill(null),
          first: event,
          last: event,
          keyId: k.id,
          keyValues: k.values,
          gapTaint: undefined,
          discarded: false,
        };
        p.events[s] = event;
        if (s === lastPositive) {
          complete(p);
          continue;
        }
        let ks = state.get(k.id);
        if (!ks) state.set(k.id, (ks = { slots: new Array(n) }));
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
      if (p.gapTaint !== undefined && p.gapTaint < event.timestamp) p.discarded = true;
      p.gapTaint = undefined;
      p.events[s] = event;
      p.last = event;
      if (s === lastPositive) complete(p);
      else ks.slots[s] = p;
    }
  };

  return {
    push(event) {
      const doc = event.doc;
      if (!Number.isNaN(event.timestamp) && event.timestamp > latest) latest = event.timestamp;
      if (pending.length) expirePending();
      // Highest stage first, so one event never advances a partial it just created or moved.
      if (!index.isWide) {
        const mask = index.mask(doc);
        if (mask !== 0) for (let s = n - 1; s >= 0; s--) if ((mask & (1 << s)) !== 0) offerToStage(s, event);
      } else {
        const flags = index.flags(doc);
        for (let s = n - 1; s >= 0; s--) if (flags[s]) offerToStage(s, event);
      }
      if (spec.until && untilIndex && untilIndex.mask(doc) !== 0 && spec.until.condition(doc)) {
        const keys = keysOf(spec.until.keys, doc);
        if (keys) for (const k of keys) state.delete(k.id);
      }
      if (maxspan !== undefined && (++seen >= nextSweep || latest - sweptAt > 2 * maxspan)) {
        sweptAt = latest;
        sweep();
        nextSweep = seen + Math.max(SWEEP_EVENTS, state.size + leadingHits.size);
      }
    },
    /** Partial sequences held now (for tests and diagnostics: state must stay bounded by maxspan). */
    liveState() {
      let partials = 0;
      for (const ks of state.values()) for (const p of ks.slots) if (p) partials++;
      return { keys: state.size, partials, pending: pending.length, swept };
    },
    finish() {
      // No trailing missing event came: the waiting sequences stand.
      for (const w of pending) emit(w.partial);
      pending.length = 0;
      state.clear();
      leadingHits.clear();
      out.finish();
    },
  };
}

/** Events between sweeps of a sequence's expired partials, at least (see `nextSweep`). */
const SWEEP_EVENTS = 4096;

// ---------------------------------------------------------------------------------------------
// Samples.

export interface SampleSpec {
  stages: RuntimeStage[];
  /** Samples per distinct join key (Elasticsearch's `max_samples_per_key`, default 1). */
  maxSamplesPerKey: number;
}

interface SampleBucket {
  values: Scalar[];
  /** Per stage, the first events that matched it, in time order. */
  hits: ReplayEvent[][];
}

/**
 * Samples (Elasticsearch `sample by …`): events grouped by join key, unordered; for every key that
 * all stages share, a sample is one distinct event per stage (the earliest combination found).
 * Results come out at the end of the stream, ordered by join key as Elasticsearch's composite
 * aggregation orders them. Memory: per key and stage, only as many events as samples can use.
 */
export function sampleDetector(
  spec: SampleSpec,
  readCategory: (doc: CanonicalEvent) => unknown,
  pipes: readonly PipeSpec[],
  onAlert: (a: Alert) => void,
): Detector {
  const stages = spec.stages;
  const n = stages.length;
  const index = new StageIndex(stages, readCategory);
  const cap = n * spec.maxSamplesPerKey;
  const buckets = new Map<string, SampleBucket>();
  return {
    push(event) {
      const doc = event.doc;
      const flags = index.flags(doc);
      for (let s = 0; s < n; s++) {
        if (!flags[s]) continue;
        const stage = stages[s] as RuntimeStage;
        if (!stage.condition(doc)) continue;
        const keys = keysOf(stage.keys, doc);
        if (!keys) continue;
        for (const k of keys) {
          let b = buckets.get(k.id);
          if (!b) buckets.set(k.id, (b = { values: k.values, hits: Array.from({ length: n }, () => []) }));
          const list = b.hits[s] as ReplayEvent[];
          if (list.length < cap) list.push(event);
        }
      }
    },
    finish() {
      const ordered = [...buckets.values()].filter((b) => b.hits.every((h) => h.length > 0)).sort((a, b) => compareKeys(a.values, b.values));
      const results: Alert[] = [];
      for (const b of ordered) {
        const count = Math.min(spec.maxSamplesPerKey, Math.max(...b.hits.map((h) => h.length)));
        const taken = new Set<string>();
        for (let j = 0; j < count; j++) {
          // Sample j prefers the j-th event of every stage, so samples of one key differ where they can.
          const lists = b.hits.map((h) => (j < h.length ? [...h.slice(j), ...h.slice(0, j)] : h));
          const pick: ReplayEvent[] = [];
          if (!chooseDistinct(lists, 0, pick)) break;
          const id = pick.map((e) => e.ordinal).join(',');
          if (taken.has(id)) continue;
          taken.add(id);
          const last = pick.reduce((m, e) => (compareEvents(e, m) > 0 ? e : m), pick[0] as ReplayEvent);
          results.push({ events: pick, stages: pick.slice(), joinKey: b.values, timestamp: last.timestamp });
        }
      }
      buckets.clear();
      let list = results;
      for (const p of pipes) list = p.kind === 'head' ? list.slice(0, p.count) : list.slice(Math.max(0, list.length - p.count));
      for (const a of list) onAlert(a);
    },
  };
}

/** Backtracking: one event per stage, all distinct within the sample; first solution in order. */
function chooseDistinct(hits: ReplayEvent[][], stage: number, pick: ReplayEvent[]): boolean {
  if (stage === hits.length) return true;
  for (const e of hits[stage] as ReplayEvent[]) {
    if (pick.includes(e)) continue;
    pick.push(e);
    if (chooseDistinct(hits, stage + 1, pick)) return true;
    pick.pop();
  }
  return false;
}

/** Composite-aggregation order: per key, null first, then ascending. */
function compareKeys(a: Scalar[], b: Scalar[]): number {
  for (let i = 0; i < a.length; i++) {
    const x = a[i] as Scalar;
    const y = b[i] as Scalar;
    if (x === y) continue;
    if (x === null) return -1;
    if (y === null) return 1;
    if (typeof x === 'number' && typeof y === 'number') return x - y;
    if (typeof x === 'boolean' && typeof y === 'boolean') return x ? 1 : -1;
    const sx = String(x);
    const sy = String(y);
    if (sx !== sy) return sx < sy ? -1 : 1;
  }
  return 0;
}
