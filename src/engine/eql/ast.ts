/**
 * The EQL syntax tree, close to what was written: operators keep their spelling so lowering can
 * apply dialect rules (Elasticsearch vs legacy endgame). Offsets are into the query text.
 */
import type { Scalar } from '../ir.js';

interface At {
  start: number;
  end: number;
}

export type AstExpr =
  | ({ type: 'literal'; value: Scalar } & At)
  | ({ type: 'field'; name: string; optional: boolean } & At)
  | ({ type: 'compare'; op: '==' | '=' | '!=' | '<' | '<=' | '>' | '>='; left: AstExpr; right: AstExpr } & At)
  | ({ type: 'arith'; op: '+' | '-' | '*' | '/' | '%'; left: AstExpr; right: AstExpr } & At)
  | ({ type: 'logical'; op: 'and' | 'or'; left: AstExpr; right: AstExpr } & At)
  | ({ type: 'not'; operand: AstExpr } & At)
  | ({ type: 'negate'; operand: AstExpr } & At)
  | ({ type: 'in'; subject: AstExpr; values: AstExpr[]; insensitive: boolean; negated: boolean } & At)
  | ({ type: 'pattern'; op: ':' | 'like' | 'regex'; insensitive: boolean; subject: AstExpr; patterns: AstExpr[] } & At)
  | ({ type: 'call'; name: string; insensitive: boolean; nameEnd: number; args: AstExpr[] } & At);

export interface AstEventQuery extends At {
  /** null for `any`. */
  category: string | null;
  categoryStart: number;
  categoryEnd: number;
  condition: AstExpr;
}

export interface AstStage extends At {
  query: AstEventQuery;
  by: AstExpr[];
  byStart?: number;
  runs?: { value: number; start: number };
  missing: boolean;
}

export interface AstPipe extends At {
  name: string;
  nameStart: number;
  args: AstExpr[];
}

export type AstQuery =
  | ({ type: 'event'; query: AstEventQuery } & At)
  | ({ type: 'sequence'; by: AstExpr[]; maxspan?: { value: number; unit: string } & At; stages: AstStage[]; until?: AstStage } & At)
  | ({ type: 'sample'; by: AstExpr[]; stages: AstStage[] } & At);

export interface AstStatement {
  query: AstQuery;
  pipes: AstPipe[];
}
