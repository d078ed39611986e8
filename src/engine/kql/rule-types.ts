/**
 * Elastic rule types built on a KQL query, replayed as one run of the rule over a whole dataset with
 * the rule's own windows measured in event time (docs/kql.md):
 *
 *  - `threshold`: events matching the query, grouped by `threshold.field` (none: one group), raise an
 *    alert when at least `threshold.value` of them (and, with `cardinality`, at least that many distinct
 *    values of the cardinality field) fall within the rule's look-back window (`from`, default 6 minutes).
 *    The group then starts over. Events without a group-by field are not counted, as in a terms
 *    aggregation.
 *  - `new_terms`: an event whose combination of `new_terms_fields` values was not seen in the preceding
 *    history window (`history_window_start`, e.g. `now-14d`) raises an alert; the dataset is its own
 *    history. A multi-valued field contributes each combination.
 *  - exceptions: Kibana's exception list items (entries `match`, `match_any`, `wildcard`, `exists`,
 *    `nested`, operator `included`/`excluded`) become `not (item or item …)` around the query.
 *
 * The loader hands these parameters to the engine in `RuleQuery.dialect` as JSON (`kqlRuleDialect`),
 * since the compile contract carries the query text and a dialect only.
 */
import { getField } from '../../events/fields.js';
import type { ReplayEvent } from '../../events/types.js';
import type { Alert, CompiledQuery, Detector } from '../types.js';

export interface ThresholdParams {
  field: string[];
  value: number;
  cardinality?: Array<{ field: string; value: number }>;
}

export interface ExceptionEntry {
  field: string;
  type: 'match' | 'match_any' | 'wildcard' | 'exists' | 'nested' | 'list';
  operator?: 'included' | 'excluded';
  value?: string | string[];
  entries?: ExceptionEntry[];
}

export interface ExceptionItem {
  name?: string;
  entries: ExceptionEntry[];
}

export interface KqlRuleParams {
  type: 'query' | 'threshold' | 'new_terms' | 'saved_query' | string;
  /** The rule's look-back window in milliseconds (`from`). */
  windowMs?: number;
  threshold?: ThresholdParams;
  newTerms?: { fields: string[]; historyWindowMs: number };
  exceptions?: ExceptionItem[];
}

const DIALECT_PREFIX = 'elastic-rule:';

/** The dialect string that carries rule parameters to the KQL compiler. */
export function kqlRuleDialect(params: KqlRuleParams): string {
  return DIALECT_PREFIX + JSON.stringify(params);
}

export function readKqlRuleDialect(dialect: string | undefined): KqlRuleParams | undefined {
  if (!dialect?.startsWith(DIALECT_PREFIX)) return undefined;
  return JSON.parse(dialect.slice(DIALECT_PREFIX.length)) as KqlRuleParams;
}

/** `now-9m` → 9 minutes; `now-14d` → 14 days (date math units s m h d w M y). */
export function lookbackMs(text: string | undefined, fallbackMs: number): number {
  if (!text) return fallbackMs;
  const m = /^now-(\d+)([smhdwMy])$/.exec(text.trim());
  if (!m) return fallbackMs;
  const unit: Record<string, number> = { s: 1e3, m: 6e4, h: 36e5, d: 864e5, w: 6048e5, M: 2592e6, y: 31536e6 };
  return Number(m[1]) * (unit[m[2] as string] as number);
}

/** Exception items as one KQL expression: the events they describe (the caller negates it). */
export function exceptionsToKql(items: ExceptionItem[]): string | undefined {
  const quote = (v: string) => `"${v.replace(/["\\]/g, '\\$&')}"`;
  // Unquoted KQL: specials escaped, `*` kept as the wildcard, spaces as they are (KQL cannot escape
  // them; they belong to the value), and a keyword between spaces escaped so it stays part of it.
  const wildcardValue = (v: string) => v.replace(/[\\():<>"{}]/g, '\\$&').replace(/(\s)(and|or|not)(?=\s)/gi, '$1\\$2');
  const entry = (e: ExceptionEntry, prefix: string): string => {
    const field = prefix + e.field;
    let body: string;
    switch (e.type) {
      case 'match':
        body = `${field}:${quote(String(e.value ?? ''))}`;
        break;
      case 'match_any': {
        const values = Array.isArray(e.value) ? e.value : [String(e.value ?? '')];
        body = `${field}:(${values.map(quote).join(' or ')})`;
        break;
      }
      case 'wildcard':
        body = `${field}:${wildcardValue(String(e.value ?? ''))}`;
        break;
      case 'exists':
        body = `${field}:*`;
        break;
      case 'nested':
        // A nested query, as Kibana builds for nested entries: all of them on the same element.
        body = `${field}:{ ${(e.entries ?? []).map((n) => entry(n, '')).join(' and ')} }`;
        break;
      default:
        throw new Error(`exception entries of type ${e.type} (value lists) are not supported`);
    }
    return e.operator === 'excluded' ? `not ${body}` : body;
  };
  const parts = items.filter((i) => i.entries.length).map((i) => `(${i.entries.map((e) => entry(e, '')).join(' and ')})`);
  return parts.length ? parts.join(' or ') : undefined;
}

function values(e: ReplayEvent, field: string): string[] {
  const raw = getField(e.doc, field);
  if (raw === undefined || raw === null) return [];
  const list = Array.isArray(raw) ? raw : [raw];
  return [...new Set(list.filter((v) => v !== null && v !== undefined).map((v) => (typeof v === 'object' ? JSON.stringify(v) : String(v))))];
}

/** Every combination of the fields' values (empty when a field is missing). */
function combinations(e: ReplayEvent, fields: string[], limit = 100): string[][] {
  let out: string[][] = [[]];
  for (const f of fields) {
    const vs = values(e, f);
    if (!vs.length) return [];
    const next: string[][] = [];
    for (const prefix of out) for (const v of vs) if (next.length < limit) next.push([...prefix, v]);
    out = next;
  }
  return out;
}

export function thresholdDetector(base: CompiledQuery, params: ThresholdParams, windowMs: number, onAlert: (a: Alert) => void): Detector {
  const groups = new Map<string, { key: string[]; events: ReplayEvent[] }>();
  const card = params.cardinality ?? [];
  const detector = base.newDetector((alert) => {
    const event = alert.events[0] as ReplayEvent;
    for (const key of combinations(event, params.field)) {
      const id = JSON.stringify(key);
      let g = groups.get(id);
      if (!g) groups.set(id, (g = { key, events: [] }));
      g.events = g.events.filter((e) => e.timestamp >= event.timestamp - windowMs);
      g.events.push(event);
      if (g.events.length < params.value) continue;
      const cardOk = card.every((c) => new Set(g.events.flatMap((e) => values(e, c.field))).size >= c.value);
      if (!cardOk) continue;
      onAlert({ events: g.events, timestamp: event.timestamp, joinKey: key });
      g.events = [];
    }
  });
  return { push: (e) => detector.push(e), finish: () => detector.finish() };
}

export function newTermsDetector(base: CompiledQuery, fields: string[], historyWindowMs: number, onAlert: (a: Alert) => void): Detector {
  const lastSeen = new Map<string, number>();
  const detector = base.newDetector((alert) => {
    const event = alert.events[0] as ReplayEvent;
    const fresh: string[][] = [];
    for (const combo of combinations(event, fields)) {
      const id = JSON.stringify(combo);
      const prev = lastSeen.get(id);
      if (prev === undefined || prev < event.timestamp - historyWindowMs) fresh.push(combo);
      lastSeen.set(id, event.timestamp);
    }
    // One alert per event, however many of its combinations are new (Kibana: one alert per document).
    if (fresh.length) onAlert({ events: [event], timestamp: event.timestamp, joinKey: fresh[0] as string[] });
  });
  return { push: (e) => detector.push(e), finish: () => detector.finish() };
}
