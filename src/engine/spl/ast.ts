/** The SPL syntax tree: a pipeline of commands, search expressions and eval expressions, with spans. */
import type { Span } from '../ir.js';

// ---- search language (search command, raw search, tstats where) ----

export type SearchOp = '=' | '!=' | '<' | '<=' | '>' | '>=';

export type SearchExpr =
  | { kind: 'and'; terms: SearchExpr[]; span: Span }
  | { kind: 'or'; terms: SearchExpr[]; span: Span }
  | { kind: 'not'; operand: SearchExpr; span: Span }
  /** `field=value` and the other comparisons; `value` may hold `*` wildcards. */
  | { kind: 'compare'; field: string; fieldSpan: Span; op: SearchOp; value: string; span: Span }
  /** `field IN (v1, v2, …)`; values may hold wildcards. */
  | { kind: 'in'; field: string; fieldSpan: Span; values: string[]; span: Span }
  /** A bare term: free text matched against the event (`*` matches everything). */
  | { kind: 'term'; value: string; span: Span };

// ---- eval language (where, eval) ----

export type EvalExpr =
  | { kind: 'literal'; value: string | number | boolean | null; span: Span }
  | { kind: 'field'; name: string; span: Span }
  | { kind: 'unary'; op: '-' | 'NOT'; operand: EvalExpr; span: Span }
  | { kind: 'binary'; op: string; left: EvalExpr; right: EvalExpr; span: Span }
  | { kind: 'like'; subject: EvalExpr; pattern: EvalExpr; span: Span }
  | { kind: 'in'; subject: EvalExpr; values: EvalExpr[]; span: Span }
  | { kind: 'call'; name: string; args: EvalExpr[]; span: Span };

// ---- commands ----

export type AggFunction =
  | 'count' | 'dc' | 'values' | 'list' | 'min' | 'max' | 'sum' | 'avg' | 'first' | 'last' | 'earliest' | 'latest';

export interface Aggregation {
  fn: AggFunction;
  /** The field aggregated; null for a bare `count`. */
  field: string | null;
  fieldSpan?: Span;
  /** Output column name (`as` name, else `fn(field)` as written, else `count`). */
  as: string;
  span: Span;
}

export interface ByField {
  name: string;
  span: Span;
}

export interface SearchCommand {
  kind: 'search';
  expr: SearchExpr | null;
  span: Span;
}

export interface TstatsCommand {
  kind: 'tstats';
  options: Record<string, string>;
  aggs: Aggregation[];
  datamodel: { name: string; span: Span };
  where: SearchExpr | null;
  by: ByField[];
  /** `span=` of `by _time span=…`, in seconds. */
  spanSeconds?: number;
  span: Span;
}

export interface StatsCommand {
  kind: 'stats';
  aggs: Aggregation[];
  by: ByField[];
  span: Span;
}

export interface WhereCommand {
  kind: 'where';
  expr: EvalExpr;
  span: Span;
}

/** `regex field="pcre"` / `regex field!="pcre"`: keeps the rows whose field matches (or does not). */
export interface RegexCommand {
  kind: 'regex';
  field: string;
  fieldSpan: Span;
  negate: boolean;
  pattern: string;
  patternSpan: Span;
  span: Span;
}

export interface EvalCommand {
  kind: 'eval';
  assignments: Array<{ field: string; expr: EvalExpr; span: Span }>;
  span: Span;
}

export interface RenameCommand {
  kind: 'rename';
  pairs: Array<{ from: string; to: string; span: Span }>;
  span: Span;
}

export interface TableCommand {
  kind: 'table';
  fields: string[];
  span: Span;
}

export interface FieldsCommand {
  kind: 'fields';
  remove: boolean;
  fields: string[];
  span: Span;
}

export interface DedupCommand {
  kind: 'dedup';
  limit: number;
  fields: string[];
  keepEmpty: boolean;
  consecutive: boolean;
  span: Span;
}

export interface ConvertCommand {
  kind: 'convert';
  timeformat: string;
  conversions: Array<{ fn: 'ctime' | 'num'; field: string; as: string }>;
  span: Span;
}

export interface FillnullCommand {
  kind: 'fillnull';
  value: string;
  fields: string[];
  span: Span;
}

export interface BinCommand {
  kind: 'bin';
  field: string;
  as: string;
  /** Bucket width in seconds (time spans) or units (numeric spans). */
  width: number;
  span: Span;
}

export interface HeadCommand {
  kind: 'head';
  count: number;
  span: Span;
}

export type Command =
  | SearchCommand
  | TstatsCommand
  | StatsCommand
  | WhereCommand
  | EvalCommand
  | RenameCommand
  | TableCommand
  | FieldsCommand
  | DedupCommand
  | ConvertCommand
  | FillnullCommand
  | HeadCommand
  | BinCommand
  | RegexCommand;

export interface Pipeline {
  commands: Command[];
  text: string;
}
