/**
 * SPL values and result rows. A value is a string or number, a multivalue (array), or null for a
 * field that has no value. Rows of a raw search are backed by their canonical event (fields are read
 * through the field view on demand); rows of `stats`/`tstats` carry their own values and the events
 * they were computed from (an alert reports those events).
 */
import type { CanonicalEvent, ReplayEvent } from '../../events/types.js';
import type { CimValue } from '../../events/views/cim.js';

export type SplValue = CimValue;

/** Reads a field of a canonical event by its SPL name. */
export interface EventFields {
  get(name: string): ((doc: CanonicalEvent) => SplValue) | undefined;
  names(doc: CanonicalEvent): string[];
}

/** How many events a stats row keeps for its alert; the count itself is always exact. */
export const MAX_EVENTS_PER_ROW = 1000;

export class SplRow {
  private readonly values = new Map<string, SplValue>();
  private removed?: Set<string>;
  constructor(
    public readonly events: ReplayEvent[],
    private readonly doc?: CanonicalEvent,
    private readonly view?: EventFields,
  ) {}

  get(name: string): SplValue {
    const own = this.values.get(name);
    if (own !== undefined) return own;
    if (this.doc && this.view && !this.removed?.has(name)) {
      const g = this.view.get(name);
      return g ? g(this.doc) : null;
    }
    return null;
  }

  set(name: string, value: SplValue): void {
    if (value === null || (Array.isArray(value) && value.length === 0)) {
      this.remove(name);
      return;
    }
    this.values.set(name, value);
    this.removed?.delete(name);
  }

  remove(name: string): void {
    this.values.delete(name);
    if (this.doc) (this.removed ??= new Set()).add(name);
  }

  /** Names of the fields that have a value, sorted. */
  names(): string[] {
    const out = new Set(this.values.keys());
    if (this.doc && this.view) for (const n of this.view.names(this.doc)) if (!this.removed?.has(n)) out.add(n);
    return [...out].sort();
  }

  /** Keep only these fields (table, fields +). */
  keepOnly(keep: (name: string) => boolean): void {
    for (const n of this.names()) if (!keep(n)) this.remove(n);
  }

  /** The event time of the row: its last event's, in epoch milliseconds. */
  get timestamp(): number {
    let t = NaN;
    for (const e of this.events) if (!(e.timestamp <= t)) t = e.timestamp;
    return t;
  }
}

export function valuesOf(v: SplValue): Array<string | number> {
  if (v === null) return [];
  if (Array.isArray(v)) return v;
  if (typeof v === 'boolean') return [String(v)];
  return [v];
}

export function firstValue(v: SplValue): string | number | boolean | null {
  if (Array.isArray(v)) return v.length ? (v[0] as string | number) : null;
  return v;
}

export function toText(v: string | number | boolean): string {
  return typeof v === 'string' ? v : String(v);
}

const NUMERIC = /^\s*[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?\s*$/;

/** The number a value reads as, or NaN (Splunk treats numeric strings as numbers). */
export function toNumber(v: string | number | boolean | null): number {
  if (typeof v === 'number') return v;
  if (typeof v === 'string' && NUMERIC.test(v)) return Number(v);
  return NaN;
}

/** Splunk's order: numbers numerically, before strings; strings lexicographically. */
export function compareValues(a: string | number, b: string | number): number {
  const x = toNumber(a);
  const y = toNumber(b);
  if (!Number.isNaN(x) && !Number.isNaN(y)) return x - y;
  if (!Number.isNaN(x)) return -1;
  if (!Number.isNaN(y)) return 1;
  const s = toText(a);
  const t = toText(b);
  return s < t ? -1 : s > t ? 1 : 0;
}

/**
 * A search-language value test: `*` wildcards, case-insensitive, numbers equal numerically.
 * Built once per term.
 */
export function searchValueTest(pattern: string): (v: string | number) => boolean {
  if (pattern.includes('*')) {
    const re = wildcardRegExp(pattern, true);
    return (v) => re.test(toText(v));
  }
  const lower = pattern.toLowerCase();
  const n = toNumber(pattern);
  if (!Number.isNaN(n)) return (v) => toText(v).toLowerCase() === lower || toNumber(v) === n;
  return (v) => {
    const s = toText(v);
    return s.length === lower.length && s.toLowerCase() === lower;
  };
}

/** A compiled pattern test (the shape of a RegExp's `test`, so call sites read the same). */
export interface PatternTest {
  test(input: string): boolean;
}

/**
 * `*` wildcards (search terms, field-name lists): matched by segments — the first a prefix, the
 * last a suffix, the others found left to right — in time linear in the input, where the
 * equivalent `^a.*b.*c$` RegExp backtracks polynomially on long values.
 */
export function wildcardRegExp(pattern: string, caseInsensitive: boolean): PatternTest {
  const fold = caseInsensitive ? (s: string) => s.toLowerCase() : (s: string) => s;
  return segmentMatcher(fold(pattern).split('*'), fold);
}

function segmentMatcher(segments: string[], fold: (s: string) => string): PatternTest {
  const first = segments[0] as string;
  if (segments.length === 1) return { test: (input) => fold(input) === first };
  const last = segments[segments.length - 1] as string;
  const middle = segments.slice(1, -1).filter((m) => m !== '');
  const minLength = first.length + last.length;
  return {
    test(input) {
      const s = fold(input);
      if (s.length < minLength || !s.startsWith(first) || !s.endsWith(last)) return false;
      let at = first.length;
      const end = s.length - last.length;
      for (const m of middle) {
        const k = s.indexOf(m, at);
        if (k < 0 || k + m.length > end) return false;
        at = k + m.length;
      }
      return true;
    },
  };
}

const ANY_RUN = -1;
const ANY_ONE = -2;

/**
 * SQL LIKE: `%` any run, `_` one character; case-sensitive, as eval comparisons are. Matched with
 * single-star backtracking (time input × pattern at worst, never exponential or higher polynomial).
 */
export function likeRegExp(pattern: string): PatternTest {
  const tokens = Array.from(pattern, (c) => (c === '%' ? ANY_RUN : c === '_' ? ANY_ONE : (c.codePointAt(0) as number)));
  if (!tokens.includes(ANY_ONE)) {
    // only `%`: the segment matcher (no case folding)
    return segmentMatcher(pattern.split('%'), (s) => s);
  }
  return {
    test(input) {
      const s = Array.from(input, (c) => c.codePointAt(0) as number);
      let pi = 0;
      let si = 0;
      let star = -1;
      let mark = 0;
      while (si < s.length) {
        const pc = tokens[pi];
        if (pc === ANY_ONE || (pc !== undefined && pc >= 0 && pc === s[si])) {
          pi++;
          si++;
        } else if (pc === ANY_RUN) {
          star = pi++;
          mark = si;
        } else if (star >= 0) {
          pi = star + 1;
          si = ++mark;
        } else return false;
      }
      while (tokens[pi] === ANY_RUN) pi++;
      return pi === tokens.length;
    },
  };
}

/** `strftime` for `convert ctime()` and `strftime()`: the common specifiers, in UTC. */
export function strftime(epochSeconds: number, format: string): string {
  const d = new Date(epochSeconds * 1000);
  const pad = (n: number, w = 2) => String(n).padStart(w, '0');
  const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
  const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
  return format.replace(/%(\d?)([A-Za-z%])/g, (whole, digits: string, spec: string) => {
    switch (spec) {
      case 'Y': return String(d.getUTCFullYear());
      case 'y': return pad(d.getUTCFullYear() % 100);
      case 'm': return pad(d.getUTCMonth() + 1);
      case 'd': return pad(d.getUTCDate());
      case 'e': return String(d.getUTCDate()).padStart(2, ' ');
      case 'H': return pad(d.getUTCHours());
      case 'I': return pad(((d.getUTCHours() + 11) % 12) + 1);
      case 'p': return d.getUTCHours() < 12 ? 'AM' : 'PM';
      case 'M': return pad(d.getUTCMinutes());
      case 'S': return pad(d.getUTCSeconds());
      case 'b': return MONTHS[d.getUTCMonth()] as string;
      case 'a': return DAYS[d.getUTCDay()] as string;
      case 'j': return pad(Math.floor((Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate()) - Date.UTC(d.getUTCFullYear(), 0, 1)) / 86400000) + 1, 3);
      case 's': return String(Math.floor(epochSeconds));
      case 'z': return '+0000';
      case 'Z': return 'UTC';
      case 'N': {
        const width = digits ? Number(digits) : 9;
        const frac = Math.round((epochSeconds - Math.floor(epochSeconds)) * 1e9);
        return String(frac).padStart(9, '0').slice(0, width);
      }
      case 'F': return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`;
      case 'T': return `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`;
      case '%': return '%';
      default: return whole;
    }
  });
}
