/**
 * Offering one event stream to many compiled queries at once (a replay pass tests every rule of a
 * dataset in one read of it).
 *
 * Offering every event to every detector costs rules × events evaluations. Instead each query
 * says which events its detector can react to (`CompiledQuery.admission`: per stage a category and
 * a gate, see `gates.ts`), and the dispatcher indexes the stages:
 *  - stages with a gate are entered in a hash table per category and gated field under each gate
 *    value; per event, the tables of the event's categories (and of stages without one) are
 *    consulted: each gated field read once (the value lower-cased once for a case-insensitive table)
 *    and looked up. Routing by category first means a network event never reads the fields only
 *    process stages are gated on — field reads are most of what dispatching costs;
 *  - stages without a gate are entered under their category (read once per event, for both);
 *  - queries without an admission get every event.
 * A detector is offered an event at most once, when at least one of its stages admits it. That is
 * exact, not a heuristic: an event no stage admits cannot satisfy any stage's condition, and
 * detectors change state and emit only on events that satisfy a stage's condition.
 */
import type { FieldGetter } from '../events/fields.js';
import type { CanonicalEvent, ReplayEvent } from '../events/types.js';
import { gateKey, type FieldGate } from './gates.js';
import type { CompiledQuery, Detector } from './types.js';

interface Target {
  detector: Detector;
  /** Number of the last event offered to this detector (an event reaches it once). */
  stamp: number;
}

interface GateTable {
  get: FieldGetter;
  kind: FieldGate['kind'];
  caseInsensitive: boolean;
  /** The targets whose stage admits this value (the table's category is the stage's). */
  byValue: Map<string, Target[]>;
}

/** What a category admits: detectors whose stage takes every event of it, and the stages gated on a field. */
interface CategoryEntry {
  targets: Target[];
  tables: GateTable[];
}

/** The stages of each category, as one way of reading an event's category sees it. */
interface CategoryRoute {
  read: (doc: CanonicalEvent) => unknown;
  byCategory: Map<string, CategoryEntry>;
}

export interface DetectorSet {
  push(event: ReplayEvent): void;
  finish(): void;
}

function addTo<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (!list) map.set(key, [value]);
  else if (!list.includes(value)) list.push(value);
}

/** One detector per query (`detectors[i]` belongs to `queries[i]`), offered only the events it can use. */
export function dispatchTo(queries: readonly CompiledQuery[], detectors: readonly Detector[]): DetectorSet {
  const always: Target[] = [];
  const routes: CategoryRoute[] = [];
  /** Gate tables of stages without a category: consulted for every event. */
  const anyCategoryTables: GateTable[] = [];
  const entryFor = (read: CategoryRoute['read'], category: string): CategoryEntry => {
    let route = routes.find((r) => r.read === read);
    if (!route) routes.push((route = { read, byCategory: new Map() }));
    let entry = route.byCategory.get(category);
    if (!entry) route.byCategory.set(category, (entry = { targets: [], tables: [] }));
    return entry;
  };
  queries.forEach((q, i) => {
    const target: Target = { detector: detectors[i] as Detector, stamp: 0 };
    const admission = q.admission;
    if (!admission) {
      always.push(target);
      return;
    }
    for (const stage of admission.stages) {
      if (stage.gate === null) {
        if (stage.category === null) {
          if (!always.includes(target)) always.push(target);
        } else {
          const { targets } = entryFor(admission.readCategory, stage.category);
          if (!targets.includes(target)) targets.push(target);
        }
        continue;
      }
      const tables = stage.category === null ? anyCategoryTables : entryFor(admission.readCategory, stage.category).tables;
      for (const alt of stage.gate) {
        let table = tables.find((t) => t.get === alt.get && t.kind === alt.kind && t.caseInsensitive === alt.caseInsensitive);
        if (!table) tables.push((table = { get: alt.get, kind: alt.kind, caseInsensitive: alt.caseInsensitive, byValue: new Map() }));
        for (const v of alt.values) addTo(table.byValue, v, target);
      }
    }
  });

  let stamp = 0;
  let event: ReplayEvent;
  const offer = (t: Target): void => {
    if (t.stamp === stamp) return;
    t.stamp = stamp;
    t.detector.push(event);
  };
  const offerAll = (list: Target[] | undefined): void => {
    if (!list) return;
    for (let i = 0; i < list.length; i++) offer(list[i] as Target);
  };
  const lookUp = (table: GateTable, v: unknown): void => {
    const key = gateKey(v, table.kind);
    if (key === undefined) return;
    offerAll(table.byValue.get(table.caseInsensitive ? key.toLowerCase() : key));
  };

  const consult = (tables: GateTable[], doc: CanonicalEvent): void => {
    for (let t = 0; t < tables.length; t++) {
      const table = tables[t] as GateTable;
      const raw = table.get(doc);
      if (raw === undefined || raw === null) continue;
      if (Array.isArray(raw)) {
        for (let i = 0; i < raw.length; i++) lookUp(table, raw[i]);
      } else {
        lookUp(table, raw);
      }
    }
  };

  const admit = (entry: CategoryEntry | undefined, doc: CanonicalEvent): void => {
    if (!entry) return;
    offerAll(entry.targets);
    consult(entry.tables, doc);
  };

  return {
    push(e) {
      event = e;
      stamp++;
      const doc = e.doc;
      for (let i = 0; i < always.length; i++) offer(always[i] as Target);
      consult(anyCategoryTables, doc);
      for (let r = 0; r < routes.length; r++) {
        const route = routes[r] as CategoryRoute;
        const raw = route.read(doc);
        if (typeof raw === 'string') {
          admit(route.byCategory.get(raw), doc);
        } else if (Array.isArray(raw)) {
          for (const c of raw) if (typeof c === 'string') admit(route.byCategory.get(c), doc);
        }
      }
    },
    finish() {
      for (const det of detectors) det.finish();
    },
  };
}
