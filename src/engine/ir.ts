/**
 * The engine's intermediate representation: ONE language-neutral form that every query language
 * (EQL now; KQL, Sigma and SPL later) lowers to, and that the compiler (`compile.ts`) turns into
 * closures. Nothing here knows EQL syntax.
 *
 * ## Two layers
 *
 * 1. **Expressions** (`Expr`): typed predicates and value expressions over field references.
 *    - `field`    a field as written in the rule (bound to a canonical path and type at compile time
 *                 by a `FieldBinder`); `optional` marks `?field` (never reported as unknown).
 *    - `literal`  string / number / boolean / null.
 *    - `compare`  `== != < <= > >=` with a case rule (`caseInsensitive`). Field-vs-literal
 *                 comparisons have *index* semantics (any element of a multi-valued field; a missing
 *                 field makes `==` false and `!=` true; `x == null` means "x is missing"), everything
 *                 else has *script* semantics (three-valued: null in, null out).
 *    - `match`    wildcard (`*`, `?`) or Lucene-regex patterns against a value; any pattern matches.
 *    - `in`       membership in a list of expressions, with a case rule.
 *    - `cidr`     address in one of the CIDR blocks.
 *    - `range`    lower/upper bounds, each inclusive or not (KQL `x:[a TO b]`, Sigma `gte`/`lte`).
 *    - `exists`   the field has a value.
 *    - `call`     a named function (`startsWith`, `length`, …) with a case rule (`~` forms).
 *    - `arith`    `+ - * / %`; `negate` unary minus.
 *    - `and` / `or` / `not` boolean structure (three-valued: null is "unknown", only true matches).
 *    - `fieldPattern` a test applied to every field of the event whose name matches a glob (KQL
 *                 `process.*:x`, free text over the default fields `*`); true when any field passes.
 *    - `nested`   a condition that must hold within ONE element of an array of objects (KQL
 *                 `parent:{ a:1 and b:2 }`, Elasticsearch's nested query).
 *
 * 2. **Queries** (`QueryNode`): the stateful shape of a query.
 *    - `event`    one category (or any) plus a condition; `category` is matched against the
 *                 category field of the field view (`event.category` in ECS, any element).
 *    - `sequence` ordered stages, each an event query with its own join keys (sequence-level keys
 *                 first, then per-stage keys), `runs` (a stage repeated N times), `missing` (`![…]`:
 *                 no such event may sit between its neighbours); optional `maxspanMs` and `until`.
 *    - `sample`   unordered stages joined by keys.
 *    - `pipes`    `head N` / `tail N` on the results.
 *
 * ## Spans
 *
 * Every node carries `span`: `[start, end)` offsets into the query text, so errors can report
 * line/column and explanations can quote the clause exactly as written.
 */

export interface Span {
  /** Offset of the first character (0-based, UTF-16 units, as JavaScript strings index). */
  start: number;
  /** Offset one past the last character. */
  end: number;
}

export type Scalar = string | number | boolean | null;

export type CompareOp = '==' | '!=' | '<' | '<=' | '>' | '>=';
export type ArithOp = '+' | '-' | '*' | '/' | '%';

export interface FieldRef {
  kind: 'field';
  /** The name as written in the rule, before field-view binding. */
  name: string;
  /** `?field`: a missing field is null, and the name is never reported as unknown. */
  optional: boolean;
  span: Span;
}

export interface LiteralExpr {
  kind: 'literal';
  value: Scalar;
  span: Span;
}

export interface CompareExpr {
  kind: 'compare';
  op: CompareOp;
  left: Expr;
  right: Expr;
  caseInsensitive: boolean;
  span: Span;
}

export interface MatchExpr {
  kind: 'match';
  /** `wildcard`: `*` any run, `?` one character, `\` escapes; `regex`: Lucene regular expression. */
  mode: 'wildcard' | 'regex';
  subject: Expr;
  /** Patterns as written (after string unescaping); numbers/booleans compare as equality. */
  patterns: Scalar[];
  caseInsensitive: boolean;
  span: Span;
}

export interface InExpr {
  kind: 'in';
  subject: Expr;
  values: Expr[];
  caseInsensitive: boolean;
  span: Span;
}

export interface CidrExpr {
  kind: 'cidr';
  subject: Expr;
  blocks: string[];
  span: Span;
}

export interface RangeBound {
  value: Scalar;
  inclusive: boolean;
}

export interface RangeExpr {
  kind: 'range';
  subject: Expr;
  lower?: RangeBound;
  upper?: RangeBound;
  span: Span;
}

export interface ExistsExpr {
  kind: 'exists';
  field: FieldRef;
  span: Span;
}

export interface CallExpr {
  kind: 'call';
  /** Canonical function name (`startsWith`, `cidrMatch`, …), without the `~`. */
  name: string;
  args: Expr[];
  caseInsensitive: boolean;
  span: Span;
}

export interface ArithExpr {
  kind: 'arith';
  op: ArithOp;
  left: Expr;
  right: Expr;
  span: Span;
}

export interface NegateExpr {
  kind: 'negate';
  operand: Expr;
  span: Span;
}

export interface AndExpr {
  kind: 'and';
  terms: Expr[];
  span: Span;
}

export interface OrExpr {
  kind: 'or';
  terms: Expr[];
  span: Span;
}

export interface NotExpr {
  kind: 'not';
  operand: Expr;
  span: Span;
}

/** The name `FieldPatternExpr` templates use for "the field being tried". */
export const FIELD_PATTERN_SUBJECT = '\u0000field';

export interface FieldPatternExpr {
  kind: 'fieldPattern';
  /** Globs over dotted field names (`*` any run of characters, dots included); `*` alone: every field. */
  patterns: string[];
  /**
   * The test for one field, on a `FieldRef` named `FIELD_PATTERN_SUBJECT` that is bound to each
   * matching field in turn with that field's own type (a value that does not parse as the field's
   * type fails that field only, as Elasticsearch's lenient multi-field queries do).
   */
  condition: Expr;
  /** The test for analysed-text fields (`text`, `match_only_text`, `.text` multi-fields), when it differs. */
  textCondition?: Expr;
  span: Span;
}

export interface NestedExpr {
  kind: 'nested';
  /** The array of objects (or single object); `condition` names its sub-fields by their full names. */
  path: FieldRef;
  condition: Expr;
  span: Span;
}

export type Expr =
  | FieldPatternExpr
  | NestedExpr
  | FieldRef
  | LiteralExpr
  | CompareExpr
  | MatchExpr
  | InExpr
  | CidrExpr
  | RangeExpr
  | ExistsExpr
  | CallExpr
  | ArithExpr
  | NegateExpr
  | AndExpr
  | OrExpr
  | NotExpr;

export interface EventQueryNode {
  kind: 'event';
  /** Event category (`process`, `network`, …); null for `any`. */
  category: string | null;
  /** Span of the category token, for explanations. */
  categorySpan: Span;
  condition: Expr;
  span: Span;
}

export interface StageNode {
  query: EventQueryNode;
  /** Effective join keys: the query-level keys followed by this stage's own. */
  joinKeys: Expr[];
  /** `with runs=N`: the stage must match N consecutive times (1 when absent). */
  runs: number;
  /** `![ … ]`: a missing-event stage (sequences only). */
  missing: boolean;
  span: Span;
}

export interface SequenceNode {
  kind: 'sequence';
  stages: StageNode[];
  /** Maximum time between the first and the last event, in milliseconds; absent: unbounded. */
  maxspanMs?: number;
  until?: StageNode;
  span: Span;
}

export interface SampleNode {
  kind: 'sample';
  stages: StageNode[];
  span: Span;
}

export interface PipeNode {
  kind: 'head' | 'tail';
  count: number;
  span: Span;
}

export type QueryNode = EventQueryNode | SequenceNode | SampleNode;

export interface QueryIR {
  root: QueryNode;
  pipes: PipeNode[];
  /** The query text the spans point into. */
  text: string;
}

/** The source text of a node, as written. */
export function spanText(text: string, span: Span): string {
  return text.slice(span.start, span.end);
}

/** 1-based line and column of an offset, counting `\r\n`, `\n` and `\r` as line breaks. */
export function lineColumn(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  const end = Math.min(offset, text.length);
  for (let i = 0; i < end; i++) {
    const c = text.charCodeAt(i);
    if (c === 10) {
      line++;
      lineStart = i + 1;
    } else if (c === 13) {
      if (text.charCodeAt(i + 1) === 10) i++;
      line++;
      lineStart = i + 1;
    }
  }
  return { line, column: offset - lineStart + 1 };
}

/** Every field reference inside an expression, in source order. */
export function collectFields(expr: Expr, out: FieldRef[] = []): FieldRef[] {
  switch (expr.kind) {
    case 'field':
      out.push(expr);
      break;
    case 'literal':
      break;
    case 'compare':
    case 'arith':
      collectFields(expr.left, out);
      collectFields(expr.right, out);
      break;
    case 'match':
    case 'cidr':
    case 'range':
      collectFields(expr.subject, out);
      break;
    case 'in':
      collectFields(expr.subject, out);
      for (const v of expr.values) collectFields(v, out);
      break;
    case 'exists':
      out.push(expr.field);
      break;
    case 'call':
      for (const a of expr.args) collectFields(a, out);
      break;
    case 'negate':
    case 'not':
      collectFields(expr.operand, out);
      break;
    case 'and':
    case 'or':
      for (const t of expr.terms) collectFields(t, out);
      break;
    case 'nested':
      out.push(expr.path);
      collectFields(expr.condition, out);
      break;
    case 'fieldPattern':
      // Its fields are the event's own, known only per event.
      break;
  }
  return out;
}
