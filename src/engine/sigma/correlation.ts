/**
 * Sigma correlation rules (meta-rules over other rules' matches): `event_count`, `value_count`,
 * `temporal`, `temporal_ordered`, with `group-by`, `timespan`, `condition` and `aliases`
 * (docs/sigma.md, "Correlations").
 *
 * Windows are sliding and measured in event time: for `gt`/`gte` conditions an alert is raised as
 * soon as the events of one group within `timespan` satisfy the condition, and the group starts over
 * (one alert per burst, not one per extra event). Conditions that can only be judged once a window is
 * complete (`lt`, `lte`, `eq`, `neq`) are judged when the window that started with a group's first
 * event closes. Referenced rules may be correlations themselves (chains).
 */
import { getField } from '../../events/fields.js';
import type { CanonicalEvent, ReplayEvent } from '../../events/types.js';
import { resolveSigmaField, sigmaDefaultPath } from '../../events/views/sigma.js';
import type { Alert, CompileOptions, CompiledQuery, Detector, StageExplanation } from '../types.js';
import { SigmaDocumentError, type SigmaDoc } from './document.js';
import { compileSigmaRule } from './index.js';
import { variantsOf } from './lower.js';

type Op = 'gt' | 'gte' | 'lt' | 'lte' | 'eq' | 'neq';
const OPS: Op[] = ['gt', 'gte', 'lt', 'lte', 'eq', 'neq'];
const SUPPORTED_TYPES = ['event_count', 'value_count', 'temporal', 'temporal_ordered'];

const UNIT_MS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000, M: 2_592_000_000, y: 31_536_000_000 };

export function parseTimespan(text: unknown): number | undefined {
  if (typeof text !== 'string' && typeof text !== 'number') return undefined;
  const m = /^(\d+)([smhdwMy])$/.exec(String(text).trim());
  return m ? Number(m[1]) * (UNIT_MS[m[2] as string] as number) : undefined;
}

interface Match {
  events: ReplayEvent[];
  timestamp: number;
  /** The value of a group-by (or value_count) field for this match; null when absent. */
  value(field: string): string | null;
}

interface Source {
  ids: string[];
  query: CompiledQuery;
  newDetector(onMatch: (m: Match) => void): Detector;
}

function conditionOf(raw: unknown, at: number): Array<[Op, number]> {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new SigmaDocumentError('correlation condition must be a map such as {gte: 10}', at);
  const out: Array<[Op, number]> = [];
  for (const [k, v] of Object.entries(raw as Record<string, unknown>)) {
    if (k === 'field') continue;
    if (!OPS.includes(k as Op)) throw new SigmaDocumentError(`unknown correlation condition operator "${k}" (gt, gte, lt, lte, eq, neq)`, at);
    if (typeof v !== 'number') throw new SigmaDocumentError(`correlation condition ${k} needs a number`, at);
    out.push([k as Op, v]);
  }
  if (!out.length) throw new SigmaDocumentError('correlation condition names no operator (gt, gte, lt, lte, eq, neq)', at);
  return out;
}

function holds(cond: Array<[Op, number]>, n: number): boolean {
  return cond.every(([op, v]) => (op === 'gt' ? n > v : op === 'gte' ? n >= v : op === 'lt' ? n < v : op === 'lte' ? n <= v : op === 'eq' ? n === v : n !== v));
}

/** Whether the condition can be decided while the window is still open (only growing counts). */
function eager(cond: Array<[Op, number]>): boolean {
  return cond.every(([op]) => op === 'gt' || op === 'gte');
}

function fieldReader(rule: SigmaDoc): (doc: CanonicalEvent, name: string) => string | null {
  const variants = (() => {
    try {
      return variantsOf(rule);
    } catch {
      return [];
    }
  })();
  return (doc, name) => {
    const paths: string[] = [];
    for (const v of variants) {
      const r = resolveSigmaField(name, v);
      if (r.kind === 'source' && 'path' in r.source) paths.push(r.source.path);
    }
    paths.push(sigmaDefaultPath(name));
    for (const p of paths) {
      const raw = getField(doc, p);
      if (raw === undefined || raw === null) continue;
      const v = Array.isArray(raw) ? raw[0] : raw;
      if (v !== undefined && v !== null) return String(v);
    }
    return null;
  };
}

function ruleSource(rule: SigmaDoc, others: SigmaDoc[], text: string, options: CompileOptions, depth: number): Source {
  const ids = [rule.data.id, rule.data.name].filter((v): v is string => typeof v === 'string');
  if (rule.kind === 'correlation') {
    const inner = buildCorrelation(rule, others, text, options, depth + 1);
    return {
      ids,
      query: inner.query,
      newDetector: (onMatch) =>
        inner.newDetector((alert, groupValues) =>
          onMatch({ events: alert.events, timestamp: alert.timestamp, value: (f) => groupValues.get(f) ?? null }),
        ),
    };
  }
  const query = compileSigmaRule(rule, others, text, options);
  const read = fieldReader(rule);
  return {
    ids,
    query,
    newDetector: (onMatch) =>
      query.newDetector((alert) => {
        const event = alert.events[0] as ReplayEvent;
        onMatch({ events: alert.events, timestamp: alert.timestamp, value: (f) => read(event.doc, f) });
      }),
  };
}

interface CorrelationBuild {
  query: CompiledQuery;
  newDetector(onAlert: (alert: Alert, groupValues: Map<string, string>) => void): Detector;
}

export function compileCorrelation(main: SigmaDoc, others: SigmaDoc[], text: string, options: CompileOptions): CompiledQuery {
  return buildCorrelation(main, others, text, options, 0).query;
}

function buildCorrelation(main: SigmaDoc, others: SigmaDoc[], text: string, options: CompileOptions, depth: number): CorrelationBuild {
  if (depth > 8) throw new SigmaDocumentError('correlation chain is too deep (or refers to itself)', main.start, 'semantic');
  const at = (key: string) => ((main.doc.getIn(['correlation', key], true) as { range?: number[] } | undefined)?.range?.[0] ?? main.start);
  const spec = main.data.correlation as Record<string, unknown>;
  if (typeof spec !== 'object' || spec === null) throw new SigmaDocumentError('"correlation" must be a map', main.start);
  const type = spec.type;
  if (typeof type !== 'string') throw new SigmaDocumentError('correlation needs a type (event_count, value_count, temporal, temporal_ordered)', at('type'));
  if (!SUPPORTED_TYPES.includes(type)) {
    const known = ['value_sum', 'value_avg', 'value_percentile', 'value_median'].includes(type);
    throw new SigmaDocumentError(known ? `correlation type ${type} is not supported by ruleproof` : `unknown correlation type "${type}"`, at('type'), known ? 'unsupported' : 'syntax');
  }
  const rulesRaw = spec.rules;
  const refs = typeof rulesRaw === 'string' ? [rulesRaw] : Array.isArray(rulesRaw) ? rulesRaw.map(String) : undefined;
  if (!refs?.length) throw new SigmaDocumentError('correlation needs "rules": the ids or names of the rules it correlates', at('rules'));
  const timespanMs = parseTimespan(spec.timespan);
  if (timespanMs === undefined) throw new SigmaDocumentError('correlation needs a timespan such as 5m (units s, m, h, d, w, M, y)', at('timespan'));
  const groupBy = spec['group-by'] === undefined ? [] : Array.isArray(spec['group-by']) ? spec['group-by'].map(String) : [String(spec['group-by'])];
  const temporal = type === 'temporal' || type === 'temporal_ordered';
  const cond = spec.condition === undefined && temporal ? ([['gte', refs.length]] as Array<[Op, number]>) : conditionOf(spec.condition, at('condition'));
  const valueField = type === 'value_count' ? (spec.condition as Record<string, unknown> | undefined)?.field : undefined;
  if (type === 'value_count' && typeof valueField !== 'string') throw new SigmaDocumentError('value_count needs condition.field: the field whose distinct values are counted', at('condition'));
  const aliases = (spec.aliases ?? {}) as Record<string, Record<string, string>>;

  const sources: Source[] = refs.map((ref) => {
    const target = others.find((d) => d !== main && (d.data.id === ref || d.data.name === ref));
    if (!target) throw new SigmaDocumentError(`correlation refers to rule "${ref}", which is not loaded (give the rule in the same file or under the rule paths)`, at('rules'), 'semantic');
    if (target.kind !== 'rule' && target.kind !== 'correlation') throw new SigmaDocumentError(`"${ref}" is not a rule or correlation`, at('rules'), 'semantic');
    return ruleSource(target, others, text, options, depth);
  });

  /** The field a group-by name reads for one referenced rule (aliases first). */
  const fieldFor = (name: string, src: Source): string => {
    const alias = aliases[name];
    if (alias) for (const id of src.ids) if (alias[id] !== undefined) return alias[id] as string;
    return name;
  };

  const fields = [...new Set(sources.flatMap((s) => s.query.fields))].sort();
  const unknownFields = sources.flatMap((s) => s.query.unknownFields);
  const stageCount = sources.length;

  const newDetector = (onAlert: (alert: Alert, groupValues: Map<string, string>) => void): Detector => {
    interface Entry {
      ts: number;
      rule: number;
      events: ReplayEvent[];
      value: string | null;
    }
    interface Group {
      values: Map<string, string>;
      entries: Entry[];
      started: number;
    }
    const groups = new Map<string, Group>();
    const emit = (g: Group, entries: Entry[]) => {
      const events = [...new Map(entries.flatMap((e) => e.events).map((e) => [`${e.dataset}\u0000${e.key}\u0000${e.ordinal}`, e])).values()].sort(
        (a, b) => a.timestamp - b.timestamp || a.ordinal - b.ordinal,
      );
      const last = events[events.length - 1];
      onAlert({ events, timestamp: last ? last.timestamp : NaN, joinKey: groupBy.map((f) => g.values.get(f) ?? null) }, g.values);
    };
    const measure = (entries: Entry[]): number => {
      if (type === 'event_count') return entries.length;
      if (type === 'value_count') return new Set(entries.map((e) => e.value).filter((v) => v !== null)).size;
      return new Set(entries.map((e) => e.rule)).size;
    };
    const orderedChain = (entries: Entry[]): Entry[] | undefined => {
      // The latest match of the last rule, then backwards the latest earlier match of each rule before it.
      const chain: Entry[] = [];
      let bound = Infinity;
      for (let r = sources.length - 1; r >= 0; r--) {
        let pick: Entry | undefined;
        for (const e of entries) if (e.rule === r && e.ts <= bound && (!pick || e.ts >= pick.ts)) pick = e;
        if (!pick) return undefined;
        chain.unshift(pick);
        bound = pick.ts;
      }
      return chain;
    };
    const judgeClosed = (g: Group) => {
      if (!g.entries.length) return;
      const n = measure(g.entries);
      if (holds(cond, n) && (type !== 'temporal_ordered' || orderedChain(g.entries))) emit(g, g.entries);
    };
    const isEager = eager(cond);
    const onMatch = (rule: number) => (m: Match) => {
      const src = sources[rule] as Source;
      const values = new Map<string, string>();
      for (const f of groupBy) {
        const v = m.value(fieldFor(f, src));
        if (v === null) return; // an event without the group-by field joins no group
        values.set(f, v);
      }
      const key = groupBy.map((f) => values.get(f)).join('\u0000');
      let g = groups.get(key);
      if (!g) groups.set(key, (g = { values, entries: [], started: m.timestamp }));
      const entry: Entry = { ts: m.timestamp, rule, events: m.events, value: typeof valueField === 'string' ? m.value(fieldFor(valueField, src)) : null };
      if (isEager) {
        g.entries = g.entries.filter((e) => e.ts >= m.timestamp - timespanMs);
        g.entries.push(entry);
        const n = measure(g.entries);
        if (!holds(cond, n)) return;
        if (type === 'temporal_ordered') {
          const chain = orderedChain(g.entries);
          if (!chain) return;
          emit(g, chain);
        } else emit(g, g.entries);
        g.entries = [];
        return;
      }
      // Judged when the window that started with the group's first event closes.
      if (g.entries.length && m.timestamp - g.started > timespanMs) {
        judgeClosed(g);
        g.entries = [];
      }
      if (!g.entries.length) g.started = m.timestamp;
      g.entries.push(entry);
    };
    const detectors = sources.map((s, i) => s.newDetector(onMatch(i)));
    return {
      push(event: ReplayEvent) {
        for (const d of detectors) d.push(event);
      },
      finish() {
        for (const d of detectors) d.finish();
        if (!isEager) for (const g of [...groups.values()]) judgeClosed(g);
      },
    };
  };

  const query: CompiledQuery = {
    language: 'sigma',
    fields,
    unknownFields,
    stageCount,
    newDetector: (onAlert) => newDetector((a) => onAlert(a)),
    explain(doc: CanonicalEvent): StageExplanation[] {
      return sources.flatMap((s, i) => s.query.explain(doc).map((e) => ({ ...e, stage: i })));
    },
  };
  return { query, newDetector };
}
