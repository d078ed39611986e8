/**
 * Value semantics shared by every language: how a document value of a given field type becomes
 * the term Elasticsearch would have indexed, and how terms compare.
 */
import type { FieldType } from '../events/types.js';

export type TypeClass = 'string' | 'number' | 'ip' | 'date' | 'boolean' | 'version' | 'loose';

export function typeClass(type: FieldType): TypeClass {
  switch (type) {
    case 'keyword':
    case 'wildcard':
    case 'text':
    case 'match_only_text':
    case 'flattened':
      return 'string';
    case 'long':
    case 'integer':
    case 'short':
    case 'byte':
    case 'unsigned_long':
    case 'float':
    case 'double':
    case 'scaled_float':
      return 'number';
    case 'ip':
      return 'ip';
    case 'date':
      return 'date';
    case 'boolean':
      return 'boolean';
    case 'version':
      return 'version';
    default:
      return 'loose';
  }
}

const INTEGER_TYPES = new Set<FieldType>(['long', 'integer', 'short', 'byte', 'unsigned_long']);
export function isIntegerType(type: FieldType): boolean {
  return INTEGER_TYPES.has(type);
}

// ---- IP addresses ----

function parseIpv4(text: string): number[] | undefined {
  const parts = text.split('.');
  if (parts.length !== 4) return undefined;
  const out: number[] = [];
  for (const p of parts) {
    if (!/^\d{1,3}$/.test(p)) return undefined;
    const n = Number(p);
    if (n > 255) return undefined;
    out.push(n);
  }
  return out;
}

/** 16 bytes for an IPv6 or IPv4 (as IPv4-mapped) address; undefined when not an address. */
export function ipBytes(text: string): number[] | undefined {
  let s = text.trim();
  if (s.startsWith('[') && s.endsWith(']')) s = s.slice(1, -1);
  const zone = s.indexOf('%');
  if (zone >= 0) s = s.slice(0, zone);
  if (!s.includes(':')) {
    const v4 = parseIpv4(s);
    return v4 ? [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, ...v4] : undefined;
  }
  let tail: number[] = [];
  const lastColon = s.lastIndexOf(':');
  if (s.slice(lastColon + 1).includes('.')) {
    const v4 = parseIpv4(s.slice(lastColon + 1));
    if (!v4) return undefined;
    tail = v4;
    s = s.slice(0, lastColon + 1) + '0:0';
  }
  const halves = s.split('::');
  if (halves.length > 2) return undefined;
  const toGroups = (h: string): number[] | undefined => {
    if (h === '') return [];
    const gs: number[] = [];
    for (const g of h.split(':')) {
      if (!/^[0-9a-fA-F]{1,4}$/.test(g)) return undefined;
      gs.push(parseInt(g, 16));
    }
    return gs;
  };
  const head = toGroups(halves[0] as string);
  const rest = halves.length === 2 ? toGroups(halves[1] as string) : [];
  if (!head || !rest) return undefined;
  let groups: number[];
  if (halves.length === 2) {
    const fill = 8 - head.length - rest.length;
    if (fill < 1) return undefined;
    groups = [...head, ...new Array<number>(fill).fill(0), ...rest];
  } else {
    if (head.length !== 8) return undefined;
    groups = head;
  }
  const bytes: number[] = [];
  for (const g of groups) bytes.push(g >> 8, g & 0xff);
  if (tail.length) bytes.splice(12, 4, ...tail);
  return bytes;
}

/**
 * Canonical text of an address: dotted quad for IPv4 and IPv4-mapped IPv6, RFC 5952 for IPv6
 * (lower case, longest zero run compressed). Elasticsearch prints `ip` fields the same way.
 */
export function canonicalIp(text: string): string | undefined {
  const b = ipBytes(text);
  if (!b) return undefined;
  const mapped = b.slice(0, 10).every((x) => x === 0) && b[10] === 0xff && b[11] === 0xff;
  if (mapped) return b.slice(12).join('.');
  const groups: number[] = [];
  for (let i = 0; i < 16; i += 2) groups.push(((b[i] as number) << 8) | (b[i + 1] as number));
  let bestStart = -1;
  let bestLen = 0;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLen && j - i >= 2) {
      bestStart = i;
      bestLen = j - i;
    }
    i = j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (bestStart < 0) return hex.join(':');
  return hex.slice(0, bestStart).join(':') + '::' + hex.slice(bestStart + bestLen).join(':');
}

/** Parse `a.b.c.d/n` or `v6/n` into a matcher over address text; undefined when invalid. */
export function cidrMatcher(block: string): ((ip: string) => boolean) | undefined {
  const slash = block.indexOf('/');
  const addr = slash < 0 ? block : block.slice(0, slash);
  const base = ipBytes(addr);
  if (!base) return undefined;
  const isV4 = !addr.includes(':');
  let prefix = slash < 0 ? (isV4 ? 32 : 128) : Number(block.slice(slash + 1));
  if (!Number.isInteger(prefix) || prefix < 0 || prefix > (isV4 ? 32 : 128)) return undefined;
  if (isV4) prefix += 96;
  return (ip: string) => {
    const b = ipBytes(ip);
    if (!b) return false;
    for (let bit = 0; bit < prefix; bit += 8) {
      const bits = Math.min(8, prefix - bit);
      const mask = (0xff << (8 - bits)) & 0xff;
      const i = bit >> 3;
      if (((b[i] as number) & mask) !== ((base[i] as number) & mask)) return false;
    }
    return true;
  };
}

// ---- dates ----

/** Epoch millis of a date value (number: epoch millis; numeric string: epoch millis; ISO text). */
export function dateMillis(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) ? Math.trunc(value) : undefined;
  if (typeof value !== 'string') return undefined;
  const s = value.trim();
  if (/^-?\d+$/.test(s)) return Number(s);
  let iso = s;
  // A date-time without zone is UTC in Elasticsearch.
  if (/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?$/.test(iso)) iso += 'Z';
  if (/^\d{4}-\d{2}-\d{2}$/.test(iso)) iso += 'T00:00:00Z';
  // JavaScript's Date keeps milliseconds only; longer fractions are truncated first.
  iso = iso.replace(/(\.\d{3})\d+/, '$1');
  const t = Date.parse(iso);
  return Number.isNaN(t) ? undefined : t;
}

// ---- versions ----

/** Semantic-version order as Elasticsearch's `version` field type applies it. */
export function compareVersions(a: string, b: string): number {
  const split = (v: string) => {
    const [core, ...pre] = v.split('-');
    return { core: (core as string).split('.'), pre: pre.join('-') };
  };
  const x = split(a);
  const y = split(b);
  const n = Math.max(x.core.length, y.core.length);
  for (let i = 0; i < n; i++) {
    const p = x.core[i];
    const q = y.core[i];
    if (p === undefined) return -1;
    if (q === undefined) return 1;
    const pn = /^\d+$/.test(p);
    const qn = /^\d+$/.test(q);
    if (pn && qn) {
      const d = Number(p) - Number(q);
      if (d) return d < 0 ? -1 : 1;
    } else if (p !== q) {
      if (pn !== qn) return pn ? -1 : 1;
      return p < q ? -1 : 1;
    }
  }
  if (x.pre === y.pre) return 0;
  if (!x.pre) return 1;
  if (!y.pre) return -1;
  return x.pre < y.pre ? -1 : 1;
}

// ---- wildcards ----

export type StringTest = (s: string) => boolean;

/**
 * A matcher for one wildcard pattern (`*` any run, `?` one character; no escapes, as EQL's `:`
 * and `like` build Lucene wildcard queries with everything else literal). Common shapes get a
 * direct string test; the general case uses a linear two-pointer matcher (no regex, so no
 * backtracking blow-up).
 */
export function wildcardTest(pattern: string, caseInsensitive: boolean): StringTest {
  const p = caseInsensitive ? pattern.toLowerCase() : pattern;
  const fold = caseInsensitive ? (s: string) => s.toLowerCase() : (s: string) => s;
  if (!/[*?]/.test(p)) return (s) => fold(s) === p;
  if (/^\*+$/.test(p)) return () => true;
  const inner = p.replace(/^\*+|\*+$/g, '');
  const lead = p.startsWith('*');
  const trail = p.endsWith('*');
  if (!/[*?]/.test(inner)) {
    if (lead && trail) return (s) => fold(s).includes(inner);
    if (lead) return (s) => fold(s).endsWith(inner);
    if (trail) return (s) => fold(s).startsWith(inner);
  }
  const pat = Array.from(p);
  return (s) => globMatch(pat, Array.from(fold(s)));
}

function globMatch(p: string[], s: string[]): boolean {
  let pi = 0;
  let si = 0;
  let star = -1;
  let mark = 0;
  while (si < s.length) {
    const pc = p[pi];
    if (pc === '?' || (pc !== undefined && pc !== '*' && pc === s[si])) {
      pi++;
      si++;
    } else if (pc === '*') {
      star = pi++;
      mark = si;
    } else if (star >= 0) {
      pi = star + 1;
      si = ++mark;
    } else {
      return false;
    }
  }
  while (p[pi] === '*') pi++;
  return pi === p.length;
}
