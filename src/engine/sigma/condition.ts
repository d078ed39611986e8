/**
 * The Sigma condition grammar (docs/sigma.md, "Conditions"), as pySigma parses it:
 *
 *   expr     := expr 'or' expr | expr 'and' expr | 'not' expr | '(' expr ')' | operand
 *   operand  := quantifier 'of' pattern | identifier
 *   quantifier := '1' | 'any' | 'all'       pattern := 'them' | [A-Za-z0-9_*-]+
 *
 * Precedence, loosest first: or, and, not, x of, parentheses. Keywords are lower case only.
 * Offsets are within the condition string.
 */

export type CondNode =
  | { kind: 'id'; name: string; start: number; end: number }
  | { kind: 'of'; quantifier: 'one' | 'all'; pattern: string; start: number; end: number }
  | { kind: 'not'; operand: CondNode; start: number; end: number }
  | { kind: 'and' | 'or'; terms: CondNode[]; start: number; end: number };

export class ConditionError extends Error {
  constructor(
    message: string,
    public readonly offset: number,
    public readonly kind: 'syntax' | 'unsupported' = 'syntax',
  ) {
    super(message);
  }
}

interface Token {
  text: string;
  start: number;
  end: number;
}

const WORD = /[A-Za-z0-9_*\-.]/;

function tokenize(text: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i] as string;
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    if (c === '(' || c === ')') {
      out.push({ text: c, start: i, end: i + 1 });
      i++;
      continue;
    }
    if (c === '|') {
      throw new ConditionError(
        'a pipe in the condition is a Sigma v1 aggregation (count() by …, near), which Sigma 2 replaced with correlation rules',
        i,
        'unsupported',
      );
    }
    if (WORD.test(c)) {
      let j = i;
      while (j < text.length && WORD.test(text[j] as string)) j++;
      out.push({ text: text.slice(i, j), start: i, end: j });
      i = j;
      continue;
    }
    throw new ConditionError(`unexpected character "${c}" in the condition`, i);
  }
  return out;
}

export function parseCondition(text: string): CondNode {
  const tokens = tokenize(text);
  let pos = 0;
  const peek = () => tokens[pos];
  const endOffset = () => (tokens.length ? (tokens[tokens.length - 1] as Token).end : 0);

  const parseOr = (): CondNode => {
    const first = parseAnd();
    const terms = [first];
    while (peek()?.text === 'or') {
      pos++;
      terms.push(parseAnd());
    }
    if (terms.length === 1) return first;
    return { kind: 'or', terms, start: first.start, end: (terms[terms.length - 1] as CondNode).end };
  };
  const parseAnd = (): CondNode => {
    const first = parseNot();
    const terms = [first];
    while (peek()?.text === 'and') {
      pos++;
      terms.push(parseNot());
    }
    if (terms.length === 1) return first;
    return { kind: 'and', terms, start: first.start, end: (terms[terms.length - 1] as CondNode).end };
  };
  const parseNot = (): CondNode => {
    const t = peek();
    if (t?.text === 'not') {
      pos++;
      const operand = parseNot();
      return { kind: 'not', operand, start: t.start, end: operand.end };
    }
    return parsePrimary();
  };
  const parsePrimary = (): CondNode => {
    const t = peek();
    if (!t) throw new ConditionError('the condition ends where a search identifier, "not", "(" or "1 of"/"all of" was expected', endOffset());
    if (t.text === '(') {
      pos++;
      const inner = parseOr();
      const close = peek();
      if (close?.text !== ')') throw new ConditionError('"(" is not closed', close ? close.start : endOffset());
      pos++;
      return { ...inner, start: t.start, end: close.end };
    }
    if (t.text === ')' || t.text === 'and' || t.text === 'or' || t.text === 'of') {
      throw new ConditionError(`unexpected "${t.text}" where a search identifier was expected`, t.start);
    }
    const next = tokens[pos + 1];
    if (next?.text === 'of') {
      const q = t.text;
      if (q !== '1' && q !== 'any' && q !== 'all') {
        throw new ConditionError(`"${q} of" is not a Sigma quantifier: use "1 of" (or "any of") or "all of"`, t.start);
      }
      const pattern = tokens[pos + 2];
      if (!pattern || !/^[A-Za-z0-9_*\-.]+$/.test(pattern.text) || ['and', 'or', 'not', 'of'].includes(pattern.text)) {
        throw new ConditionError(`"${q} of" needs "them" or an identifier pattern such as selection*`, pattern ? pattern.start : next.end);
      }
      pos += 3;
      return { kind: 'of', quantifier: q === 'all' ? 'all' : 'one', pattern: pattern.text, start: t.start, end: pattern.end };
    }
    if (t.text.includes('*')) throw new ConditionError(`"${t.text}" is a pattern; write "1 of ${t.text}" or "all of ${t.text}"`, t.start);
    pos++;
    return { kind: 'id', name: t.text, start: t.start, end: t.end };
  };

  if (!tokens.length) throw new ConditionError('the condition is empty', 0);
  const node = parseOr();
  const rest = peek();
  if (rest) throw new ConditionError(`unexpected "${rest.text}" after a complete condition`, rest.start);
  return node;
}

const PATTERNS = new Map<string, RegExp>();

/** Identifiers an `x of pattern` covers: `them` is every identifier not starting with `_`. */
export function identifiersOf(pattern: string, identifiers: readonly string[]): string[] {
  if (pattern === 'them') return identifiers.filter((i) => !i.startsWith('_'));
  let re = PATTERNS.get(pattern);
  if (!re) {
    re = new RegExp(`^${pattern.replace(/[.+^${}()|[\]\\-]/g, '\\$&').replace(/\*/g, '.*')}$`);
    // Rules reuse a handful of patterns (selection*, filter_*): each is compiled once.
    if (PATTERNS.size < 10_000) PATTERNS.set(pattern, re);
  }
  return identifiers.filter((i) => re.test(i) && (!i.startsWith('_') || pattern.startsWith('_')));
}

/** Identifier names a condition refers to directly, and the patterns it uses. */
export function conditionReferences(node: CondNode, out: { ids: string[]; patterns: string[] } = { ids: [], patterns: [] }) {
  switch (node.kind) {
    case 'id':
      out.ids.push(node.name);
      break;
    case 'of':
      out.patterns.push(node.pattern);
      break;
    case 'not':
      conditionReferences(node.operand, out);
      break;
    default:
      for (const t of node.terms) conditionReferences(t, out);
  }
  return out;
}
