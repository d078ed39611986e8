/**
 * The commands after the first one, as a chain of row processors. Streaming commands (search,
 * where, eval, rename, table, fields, dedup, convert, head) pass rows on as they come; `stats` and
 * `fillnull` without a field list hold rows until the end of the stream.
 */
import type { ReplayEvent } from '../../events/types.js';
import type { Span } from '../ir.js';
import type { Aggregation, ByField, Command } from './ast.js';
import { compileEval, compileSearch, type Getter, type SearchResolver } from './expr.js';
import { SplError } from './lexer.js';
import { splRegexTest } from './regex.js';
import {
  compareValues,
  MAX_EVENTS_PER_ROW,
  searchValueTest,
  SplRow,
  strftime,
  toNumber,
  toText,
  valuesOf,
  wildcardRegExp,
  type PatternTest,
  type SplValue,
} from './values.js';

export interface RowSink {
  push(row: SplRow): void;
  finish(): void;
}

export type StageFactory = (next: RowSink) => RowSink;

const rowField = (name: string): Getter<SplRow> => (row) => row.get(name);

/** A bare term after the first command: any value of any field of the row contains it. */
function rowTerm(value: string): (row: SplRow) => boolean {
  const test = searchValueTest(value.includes('*') ? value : `*${value}*`);
  return (row) => row.names().some((n) => valuesOf(row.get(n)).some(test));
}

export const ROW_RESOLVER: SearchResolver<SplRow> = { field: (name) => rowField(name), term: (value) => rowTerm(value) };

function nameMatcher(patterns: string[]): (name: string) => boolean {
  const tests = patterns.map((p) => (p.includes('*') ? ((re: PatternTest) => (n: string) => re.test(n))(wildcardRegExp(p, false)) : (n: string) => n === p));
  return (n) => tests.some((t) => t(n));
}

/** `rename Processes.* AS *`: each `*` of the source captures, and fills the `*` of the target in order. */
function renamer(from: string, to: string): (name: string) => string | undefined {
  if (!from.includes('*')) return (n) => (n === from ? to : undefined);
  const body = from
    .split('*')
    .map((p) => p.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
    .join('(.*)');
  const re = new RegExp(`^${body}$`, 's');
  return (n) => {
    const m = re.exec(n);
    if (!m) return undefined;
    let k = 1;
    return to.replace(/\*/g, () => m[k++] ?? '');
  };
}

export function stageFor(command: Command): StageFactory {
  switch (command.kind) {
    case 'search': {
      const expr = command.expr;
      if (!expr) return (next) => next;
      const keep = compileSearch(expr, ROW_RESOLVER);
      return (next) => ({ push: (row) => keep(row) && next.push(row), finish: () => next.finish() });
    }
    case 'regex': {
      // linear-time automaton when the pattern allows it; otherwise hazard-checked RegExp
      const re = splRegexTest(command.pattern, command.patternSpan);
      const field = command.field;
      const keep = command.negate
        ? (row: SplRow) => !valuesOf(row.get(field)).some((v) => re.test(toText(v)))
        : (row: SplRow) => valuesOf(row.get(field)).some((v) => re.test(toText(v)));
      return (next) => ({ push: (row) => keep(row) && next.push(row), finish: () => next.finish() });
    }
    case 'where': {
      const test = compileEval(command.expr, rowField);
      return (next) => ({ push: (row) => test(row) === true && next.push(row), finish: () => next.finish() });
    }
    case 'eval': {
      const steps = command.assignments.map((a) => ({ field: a.field, fn: compileEval(a.expr, rowField) }));
      return (next) => ({
        push: (row) => {
          for (const s of steps) row.set(s.field, s.fn(row));
          next.push(row);
        },
        finish: () => next.finish(),
      });
    }
    case 'rename': {
      const pairs = command.pairs.map((p) => ({ wildcard: p.from.includes('*'), from: p.from, to: p.to, map: renamer(p.from, p.to) }));
      return (next) => ({
        push: (row) => {
          for (const p of pairs) {
            if (!p.wildcard) {
              const v = row.get(p.from);
              if (v === null) continue;
              row.remove(p.from);
              row.set(p.to, v);
              continue;
            }
            const moves: Array<[string, string, SplValue]> = [];
            for (const n of row.names()) {
              const to = p.map(n);
              if (to !== undefined && to !== n) moves.push([n, to, row.get(n)]);
            }
            for (const [n] of moves) row.remove(n);
            for (const [, to, v] of moves) row.set(to, v);
          }
          next.push(row);
        },
        finish: () => next.finish(),
      });
    }
    case 'table': {
      const keep = nameMatcher(command.fields);
      return (next) => ({
        push: (row) => {
          row.keepOnly(keep);
          next.push(row);
        },
        finish: () => next.finish(),
      });
    }
    case 'fields': {
      const match = nameMatcher(command.fields);
      const remove = command.remove;
      return (next) => ({
        push: (row) => {
          if (remove) for (const n of row.names()) if (match(n)) row.remove(n);
          if (!remove) row.keepOnly((n) => match(n) || n.startsWith('_'));
          next.push(row);
        },
        finish: () => next.finish(),
      });
    }
    case 'dedup': {
      const { fields, limit, keepEmpty, consecutive } = command;
      return (next) => {
        const seen = new Map<string, number>();
        let previous: string | undefined;
        return {
          push: (row) => {
            const parts: string[] = [];
            for (const f of fields) {
              const vs = valuesOf(row.get(f));
              if (!vs.length) {
                // Rows missing a dedup field are removed, unless keepempty=true keeps them all.
                if (keepEmpty) next.push(row);
                return;
              }
              parts.push(JSON.stringify(vs.map(toText)));
            }
            const key = parts.join('\u0000');
            if (consecutive) {
              if (key === previous) return;
              previous = key;
              next.push(row);
              return;
            }
            const n = seen.get(key) ?? 0;
            if (n >= limit) return;
            seen.set(key, n + 1);
            next.push(row);
          },
          finish: () => next.finish(),
        };
      };
    }
    case 'convert': {
      const { conversions, timeformat } = command;
      return (next) => ({
        push: (row) => {
          for (const c of conversions) {
            const vs = valuesOf(row.get(c.field));
            if (!vs.length) continue;
            const out = vs.map((v) => {
              const n = toNumber(v);
              if (c.fn === 'ctime') return Number.isNaN(n) ? v : strftime(n, timeformat);
              return Number.isNaN(n) ? v : n;
            });
            row.set(c.as, out.length === 1 ? (out[0] as string | number) : out);
          }
          next.push(row);
        },
        finish: () => next.finish(),
      });
    }
    case 'fillnull': {
      const { value, fields } = command;
      if (fields.length) {
        return (next) => ({
          push: (row) => {
            for (const f of fields) if (row.get(f) === null) row.set(f, value);
            next.push(row);
          },
          finish: () => next.finish(),
        });
      }
      // Without a field list every field any row has is filled: the whole result set is needed.
      return (next) => {
        const rows: SplRow[] = [];
        return {
          push: (row) => rows.push(row),
          finish: () => {
            const names = new Set<string>();
            for (const r of rows) for (const n of r.names()) names.add(n);
            for (const r of rows) {
              for (const n of names) if (r.get(n) === null) r.set(n, value);
              next.push(r);
            }
            next.finish();
          },
        };
      };
    }
    case 'bin': {
      const { field, as, width } = command;
      return (next) => ({
        push: (row) => {
          const out = valuesOf(row.get(field)).map((v) => {
            const n = toNumber(v);
            return Number.isNaN(n) ? v : Math.floor(n / width) * width;
          });
          if (out.length) row.set(as, out.length === 1 ? (out[0] as string | number) : out);
          next.push(row);
        },
        finish: () => next.finish(),
      });
    }
    case 'head': {
      const limit = command.count;
      return (next) => {
        let n = 0;
        return { push: (row) => n++ < limit && next.push(row), finish: () => next.finish() };
      };
    }
    case 'stats': {
      const spec = aggregationSpec(command.aggs, command.by, (name) => rowField(name), undefined);
      return (next) => {
        const acc = new Aggregator<SplRow>(spec);
        return {
          push: (row) => acc.add(row, row.events, row.timestamp),
          finish: () => {
            for (const row of acc.rows()) next.push(row);
            next.finish();
          },
        };
      };
    }
    case 'tstats':
      throw new SplError('not supported: tstats after the first command', command.span, 'unsupported');
  }
}

// ---------------------------------------------------------------------------------------------
// stats / tstats aggregation.

export interface AggregationSpec<T> {
  aggs: Array<{ agg: Aggregation; get: Getter<T> | null }>;
  by: Array<{ name: string; get: Getter<T> }>;
  /** `fillnull_value` of tstats: a missing group-by value becomes this string instead of dropping the row. */
  fill?: string;
  /** `by _time span=…` in seconds. */
  spanSeconds?: number;
}

export function aggregationSpec<T>(
  aggs: Aggregation[],
  by: ByField[],
  field: (name: string, span: Span) => Getter<T>,
  fill: string | undefined,
  spanSeconds?: number,
): AggregationSpec<T> {
  return {
    aggs: aggs.map((agg) => ({ agg, get: agg.field === null ? null : field(agg.field, agg.fieldSpan ?? agg.span) })),
    by: by.map((b) => ({ name: b.name, get: field(b.name, b.span) })),
    ...(fill !== undefined ? { fill } : {}),
    ...(spanSeconds !== undefined ? { spanSeconds } : {}),
  };
}

interface AggState {
  count: number;
  set?: Map<string, string | number>;
  list?: Array<string | number>;
  min?: string | number;
  max?: string | number;
  sum?: number;
  n?: number;
  /** earliest/latest/first/last: the value and the time it was seen. */
  timed?: { value: SplValue; time: number };
}

interface Group {
  by: Array<string | number>;
  states: AggState[];
  events: ReplayEvent[];
}

export class Aggregator<T> {
  private readonly groups = new Map<string, Group>();
  constructor(private readonly spec: AggregationSpec<T>) {}

  add(x: T, events: readonly ReplayEvent[], time: number): void {
    // Every combination of the group-by values (a multivalue field counts once per value).
    let combos: Array<Array<string | number>> = [[]];
    for (const b of this.spec.by) {
      let vs = valuesOf(b.get(x));
      if (b.name === '_time' && this.spec.spanSeconds) vs = vs.map((v) => Math.floor(toNumber(v) / (this.spec.spanSeconds as number)) * (this.spec.spanSeconds as number));
      if (!vs.length) {
        if (this.spec.fill === undefined) return;
        vs = [this.spec.fill];
      }
      const next: Array<Array<string | number>> = [];
      for (const c of combos) for (const v of new Set(vs)) next.push([...c, v]);
      combos = next;
    }
    for (const combo of combos) {
      const key = JSON.stringify(combo);
      let g = this.groups.get(key);
      if (!g) {
        g = { by: combo, states: this.spec.aggs.map(() => ({ count: 0 })), events: [] };
        this.groups.set(key, g);
      }
      for (const e of events) if (g.events.length < MAX_EVENTS_PER_ROW) g.events.push(e);
      this.spec.aggs.forEach((a, i) => update(g.states[i] as AggState, a.agg, a.get ? a.get(x) : null, a.get === null, time));
    }
  }

  /** The result rows, ordered by their group-by values (as Splunk orders stats output). */
  rows(): SplRow[] {
    const groups = [...this.groups.values()].sort((a, b) => {
      for (let i = 0; i < a.by.length; i++) {
        const c = compareValues(a.by[i] as string | number, b.by[i] as string | number);
        if (c) return c;
      }
      return 0;
    });
    return groups.map((g) => {
      const row = new SplRow([...g.events].sort((a, b) => a.timestamp - b.timestamp || a.ordinal - b.ordinal));
      this.spec.by.forEach((b, i) => row.set(b.name, g.by[i] as string | number));
      this.spec.aggs.forEach((a, i) => row.set(a.agg.as, result(g.states[i] as AggState, a.agg)));
      return row;
    });
  }
}

function update(s: AggState, agg: Aggregation, value: SplValue, bare: boolean, time: number): void {
  if (bare) {
    s.count++;
    return;
  }
  const vs = valuesOf(value);
  if (!vs.length) return;
  switch (agg.fn) {
    case 'count':
      s.count += vs.length;
      return;
    case 'dc':
    case 'values':
      s.set ??= new Map();
      for (const v of vs) s.set.set(toText(v), v);
      return;
    case 'list':
      s.list ??= [];
      for (const v of vs) if (s.list.length < 100) s.list.push(v);
      return;
    case 'min':
    case 'max':
      for (const v of vs) {
        if (agg.fn === 'min' && (s.min === undefined || compareValues(v, s.min) < 0)) s.min = v;
        if (agg.fn === 'max' && (s.max === undefined || compareValues(v, s.max) > 0)) s.max = v;
      }
      return;
    case 'sum':
    case 'avg':
      for (const v of vs) {
        const n = toNumber(v);
        if (Number.isNaN(n)) continue;
        s.sum = (s.sum ?? 0) + n;
        s.n = (s.n ?? 0) + 1;
      }
      return;
    case 'earliest':
    case 'last':
      // Splunk returns events newest first, so `last` is the earliest one.
      if (!s.timed || time < s.timed.time) s.timed = { value, time };
      return;
    case 'latest':
    case 'first':
      if (!s.timed || time >= s.timed.time) s.timed = { value, time };
      return;
  }
}

function result(s: AggState, agg: Aggregation): SplValue {
  switch (agg.fn) {
    case 'count':
      return s.count;
    case 'dc':
      return s.set?.size ?? 0;
    case 'values': {
      if (!s.set?.size) return null;
      const keys = [...s.set.keys()].sort();
      return keys.length === 1 ? (keys[0] as string) : keys;
    }
    case 'list':
      return !s.list?.length ? null : s.list.length === 1 ? (s.list[0] as string | number) : s.list;
    case 'min':
      return s.min ?? null;
    case 'max':
      return s.max ?? null;
    case 'sum':
      return s.sum ?? null;
    case 'avg':
      return s.n ? (s.sum as number) / s.n : null;
    default:
      return s.timed?.value ?? null;
  }
}
