import { lineColumn } from '../ir.js';
import type { QueryError } from '../types.js';

/** A problem at one place in the query text; becomes a `QueryError` with line and column. */
export class EqlSyntaxError extends Error {
  readonly line: number;
  readonly column: number;
  constructor(
    message: string,
    text: string,
    public readonly offset: number,
    public readonly kind: QueryError['kind'],
  ) {
    const { line, column } = lineColumn(text, offset);
    super(message);
    this.line = line;
    this.column = column;
    this.name = 'EqlSyntaxError';
  }

  toQueryError(): QueryError {
    // Elasticsearch prefixes its parsing errors with `line L:C:` (column 0-based there); ours is
    // 1-based and carried separately, so the message stays free of it.
    return { message: this.message, line: this.line, column: this.column, kind: this.kind };
  }
}
