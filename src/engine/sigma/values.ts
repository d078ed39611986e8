/**
 * Sigma values and modifiers, as pySigma applies them (docs/sigma.md, "Modifiers").
 *
 * A plain string is parsed with Sigma's escaping rules into literal text and wildcards; modifiers
 * then transform each value left to right. Some modifiers expand one value into alternatives
 * (`base64offset` gives three, `windash` one per dash spelling): alternatives of one value are
 * OR-ed, while the values of a list are OR-ed or, with `all`, AND-ed.
 */

export class SigmaValueError extends Error {
  constructor(
    message: string,
    public readonly kind: 'syntax' | 'unsupported' | 'semantic' = 'semantic',
  ) {
    super(message);
  }
}

export const ANY = 0;
export const ONE = 1;
/** Literal text, or a wildcard: `ANY` (`*`, any run) or `ONE` (`?`, one character). */
export type Part = string | typeof ANY | typeof ONE;

export type SValue =
  /** `bytes`: after `wide`/`utf16*`, each character stands for one byte. */
  | { t: 'str'; parts: Part[]; bytes?: boolean; raw?: string }
  | { t: 'num'; n: number; text: string }
  | { t: 'bool'; b: boolean }
  | { t: 'null' }
  | { t: 're'; pattern: string; flags: string }
  | { t: 'cidr'; block: string }
  | { t: 'exists'; b: boolean }
  | { t: 'cmp'; op: 'lt' | 'lte' | 'gt' | 'gte'; n: number }
  | { t: 'fieldref'; field: string; mode: 'eq' | 'contains' | 'startswith' | 'endswith' };

/** pySigma's `SigmaString` escaping: `\` escapes only `*`, `?` and itself; anything else is literal. */
export function parseSigmaString(text: string): Part[] {
  const parts: Part[] = [];
  let lit = '';
  const flush = () => {
    if (lit) parts.push(lit);
    lit = '';
  };
  for (let i = 0; i < text.length; i++) {
    const c = text[i] as string;
    if (c === '\\') {
      const next = text[i + 1];
      if (next === '*' || next === '?' || next === '\\') {
        lit += next;
        i++;
      } else {
        lit += '\\';
      }
    } else if (c === '*') {
      flush();
      parts.push(ANY);
    } else if (c === '?') {
      flush();
      parts.push(ONE);
    } else {
      lit += c;
    }
  }
  flush();
  return parts;
}

export function plainString(s: string): SValue {
  return { t: 'str', parts: s ? [s] : [] };
}

export function hasWildcards(parts: Part[]): boolean {
  return parts.some((p) => p === ANY || p === ONE);
}

/** The literal text of a wildcard-free string. */
export function literalText(parts: Part[]): string {
  return parts.map((p) => (typeof p === 'string' ? p : p === ANY ? '*' : '?')).join('');
}

function withAny(parts: Part[], front: boolean, back: boolean): Part[] {
  const out = [...parts];
  if (front && out[0] !== ANY) out.unshift(ANY);
  if (back && out[out.length - 1] !== ANY) out.push(ANY);
  return out;
}

/** Text → bytes: UTF-8 for a plain string, one byte per character after `wide`/`utf16*`. */
function toBytes(v: SValue & { t: 'str' }): Buffer {
  if (hasWildcards(v.parts)) throw new SigmaValueError('a value with wildcards cannot be Base64-encoded (pySigma rejects it too)');
  const text = literalText(v.parts);
  return v.bytes ? Buffer.from(text, 'latin1') : Buffer.from(text, 'utf8');
}

function utf16(v: SValue & { t: 'str' }, order: 'le' | 'be', bom: boolean): SValue {
  const parts: Part[] = v.parts.map((p) => {
    if (typeof p !== 'string') return p;
    const buf = Buffer.from(p, 'utf16le');
    if (order === 'be') buf.swap16();
    return buf.toString('latin1');
  });
  if (bom) parts.unshift(order === 'le' ? '\xff\xfe' : '\xfe\xff');
  return { t: 'str', parts: mergeLiterals(parts), bytes: true };
}

function mergeLiterals(parts: Part[]): Part[] {
  const out: Part[] = [];
  for (const p of parts) {
    const last = out[out.length - 1];
    if (typeof p === 'string' && typeof last === 'string') out[out.length - 1] = last + p;
    else if (p !== '') out.push(p);
  }
  return out;
}

/** `windash`: the dash spellings Windows command-line parsers accept for an option prefix. */
const DASHES = ['-', '/', '\u2013', '\u2014', '\u2015'];
const WINDASH_LIMIT = 4;

function windash(v: SValue & { t: 'str' }): SValue[] {
  // Positions (part index, offset) of every `-`/`/` at the start of a word, pySigma's `\B[-/]\b`.
  const spots: Array<[number, number]> = [];
  v.parts.forEach((p, i) => {
    if (typeof p !== 'string') return;
    const re = /\B[-/]\b/g;
    for (let m = re.exec(p); m; m = re.exec(p)) spots.push([i, m.index]);
  });
  if (!spots.length) return [v];
  if (spots.length > WINDASH_LIMIT) throw new SigmaValueError(`windash on a value with ${spots.length} option dashes would expand into ${5 ** spots.length} values`, 'unsupported');
  const out: SValue[] = [];
  const total = DASHES.length ** spots.length;
  for (let k = 0; k < total; k++) {
    const parts = [...v.parts];
    const rest = k;
    // Replace from the end so offsets stay valid within a part.
    for (let s = spots.length - 1; s >= 0; s--) {
      const [pi, off] = spots[s] as [number, number];
      const dash = DASHES[(Math.floor(rest / DASHES.length ** s)) % DASHES.length] as string;
      const text = parts[pi] as string;
      parts[pi] = text.slice(0, off) + dash + text.slice(off + 1);
    }
    out.push({ ...v, parts });
  }
  return out;
}

function base64offset(v: SValue & { t: 'str' }): SValue[] {
  const bytes = toBytes(v);
  const start = [0, 2, 3];
  const end: Array<number | undefined> = [undefined, -3, -2];
  const out: SValue[] = [];
  for (let i = 0; i < 3; i++) {
    const enc = Buffer.concat([Buffer.alloc(i, 0x20), bytes]).toString('base64');
    const slice = enc.slice(start[i], end[(bytes.length + i) % 3]);
    out.push({ t: 'str', parts: slice ? [slice] : [] });
  }
  return out;
}

/** Placeholder values for `expand`, by name without the percent signs. */
export type Placeholders = Readonly<Record<string, readonly string[]>>;

function expand(v: SValue & { t: 'str' }, placeholders: Placeholders | undefined): SValue[] {
  // `%name%` is a placeholder; `\%` a literal percent sign (already unescaped as `\%` by the parser).
  const text = literalText(v.parts);
  const names = [...text.matchAll(/(?<!\\)%([A-Za-z0-9_.-]+)%/g)].map((m) => m[1] as string);
  if (!names.length) return [v];
  let variants = [text];
  for (const name of new Set(names)) {
    const values = placeholders?.[name];
    if (!values) {
      throw new SigmaValueError(`the placeholder %${name}% has no values configured (the expand modifier needs them; Sigma says rules whose placeholders cannot be resolved must be rejected)`, 'unsupported');
    }
    const next: string[] = [];
    for (const t of variants) for (const val of values) next.push(t.split(`%${name}%`).join(val));
    variants = next;
  }
  return variants.map((t) => ({ t: 'str', parts: parseSigmaString(t.replace(/\\%/g, '%')) }));
}

export interface ItemFlags {
  /** `all`: the list's values are AND-ed. */
  all: boolean;
  /** `cased`: case-sensitive string matching. */
  cased: boolean;
  /** `neq`: the whole item is negated. */
  neq: boolean;
}

export const KNOWN_MODIFIERS = new Set([
  'contains', 'startswith', 'endswith', 'all', 'base64', 'base64offset', 'wide', 'utf16le', 'utf16be', 'utf16',
  'windash', 're', 'i', 'ignorecase', 'm', 'multiline', 's', 'dotall', 'cidr', 'exists', 'cased', 'lt', 'lte', 'gt',
  'gte', 'neq', 'fieldref', 'expand', 'minute', 'hour', 'day', 'week', 'month', 'year',
]);

/**
 * Apply a modifier chain to a list of values. Returns, per value, its alternatives, and the flags
 * that change how the item combines.
 */
export function applyModifiers(values: SValue[], modifiers: string[], placeholders?: Placeholders): { values: SValue[][]; flags: ItemFlags } {
  const flags: ItemFlags = { all: false, cased: false, neq: false };
  let current: SValue[][] = values.map((v) => [v]);
  const seen: string[] = [];
  const each = (fn: (v: SValue) => SValue | SValue[]) => {
    current = current.map((alts) => alts.flatMap((v) => fn(v)));
  };
  const str = (name: string, fn: (v: SValue & { t: 'str' }) => SValue | SValue[]) =>
    each((v) => {
      if (v.t === 'str') return fn(v);
      if (v.t === 'num') return fn({ t: 'str', parts: [v.text] });
      throw new SigmaValueError(`the ${name} modifier needs a string value, not ${describe(v)}`);
    });
  for (const raw of modifiers) {
    const m = raw.toLowerCase();
    if (!KNOWN_MODIFIERS.has(m)) throw new SigmaValueError(`unknown modifier "${raw}"`, 'syntax');
    const previous = seen[seen.length - 1];
    seen.push(m);
    switch (m) {
      case 'contains':
      case 'startswith':
      case 'endswith':
        each((v) => {
          if (v.t === 'fieldref') return { ...v, mode: m };
          if (v.t === 're') {
            // Regexes are searches already; startswith/endswith anchor them at that end.
            if (m === 'startswith' && !v.pattern.startsWith('^')) return { ...v, pattern: `^(?:${v.pattern})` };
            if (m === 'endswith' && !v.pattern.endsWith('$')) return { ...v, pattern: `(?:${v.pattern})$` };
            return v;
          }
          if (v.t === 'num') return { t: 'str', parts: withAny([v.text], m !== 'startswith', m !== 'endswith') };
          if (v.t !== 'str') throw new SigmaValueError(`the ${m} modifier needs a string value, not ${describe(v)}`);
          return { ...v, parts: withAny(v.parts, m !== 'startswith', m !== 'endswith') };
        });
        break;
      case 'all':
        flags.all = true;
        break;
      case 'cased':
        flags.cased = true;
        break;
      case 'neq':
        flags.neq = true;
        break;
      case 'base64':
        str(m, (v) => ({ t: 'str', parts: [toBytes(v).toString('base64')] }));
        break;
      case 'base64offset':
        str(m, base64offset);
        break;
      case 'wide':
      case 'utf16le':
        str(m, (v) => utf16(v, 'le', false));
        break;
      case 'utf16be':
        str(m, (v) => utf16(v, 'be', false));
        break;
      case 'utf16':
        str(m, (v) => utf16(v, 'le', true));
        break;
      case 'windash':
        str(m, windash);
        break;
      case 'expand':
        str(m, (v) => expand(v, placeholders));
        break;
      case 're':
        if (seen.length > 1) throw new SigmaValueError('the re modifier applies to unmodified values only');
        each((v) => {
          if (v.t === 'str') return { t: 're', pattern: literalRaw(v), flags: '' };
          if (v.t === 'num') return { t: 're', pattern: v.text, flags: '' };
          throw new SigmaValueError(`the re modifier needs a string value, not ${describe(v)}`);
        });
        break;
      case 'i':
      case 'ignorecase':
      case 'm':
      case 'multiline':
      case 's':
      case 'dotall': {
        if (!seen.includes('re')) throw new SigmaValueError(`the ${m} modifier is a regular expression flag and must follow re`);
        const flag = m[0] as string;
        each((v) => (v.t === 're' ? { ...v, flags: v.flags.includes(flag) ? v.flags : v.flags + flag } : v));
        break;
      }
      case 'cidr':
        if (seen.length > 1) throw new SigmaValueError('the cidr modifier applies to unmodified values only');
        each((v) => {
          if (v.t !== 'str') throw new SigmaValueError(`the cidr modifier needs a network such as 10.0.0.0/8, not ${describe(v)}`);
          return { t: 'cidr', block: literalText(v.parts) };
        });
        break;
      case 'exists':
        each((v) => {
          if (v.t !== 'bool') throw new SigmaValueError(`the exists modifier needs true or false, not ${describe(v)}`);
          return { t: 'exists', b: v.b };
        });
        break;
      case 'lt':
      case 'lte':
      case 'gt':
      case 'gte':
        each((v) => {
          const n = v.t === 'num' ? v.n : v.t === 'str' && !hasWildcards(v.parts) && literalText(v.parts).trim() !== '' ? Number(literalText(v.parts)) : NaN;
          if (Number.isNaN(n)) throw new SigmaValueError(`the ${m} modifier needs a number, not ${describe(v)}`);
          return { t: 'cmp', op: m, n };
        });
        break;
      case 'fieldref':
        each((v) => {
          if (v.t !== 'str' || hasWildcards(v.parts)) throw new SigmaValueError('the fieldref modifier needs a field name without wildcards');
          const mode = previous === 'contains' || previous === 'startswith' || previous === 'endswith' ? previous : 'eq';
          return { t: 'fieldref', field: literalText(v.parts).replace(/^\*|\*$/g, ''), mode };
        });
        break;
      default:
        throw new SigmaValueError(`the ${m} modifier (timestamp parts) is not supported by ruleproof`, 'unsupported');
    }
  }
  return { values: current, flags };
}

/** The raw text of a string value (regex values are taken as written, without Sigma escaping). */
function literalRaw(v: SValue & { t: 'str' }): string {
  if (v.raw !== undefined) return v.raw;
  return v.parts.map((p) => (typeof p === 'string' ? p : p === ANY ? '*' : '?')).join('');
}

export function describe(v: SValue): string {
  switch (v.t) {
    case 'str':
      return `"${literalText(v.parts)}"`;
    case 'num':
      return v.text;
    case 'bool':
      return String(v.b);
    case 'null':
      return 'null';
    default:
      return v.t;
  }
}
