/**
 * Clause coverage report types (filled in by the clause-coverage pass).
 */

export interface PredicateCoverage {
  /** The predicate as written in the query. */
  text: string;
  /** 0-based stage of the query (0 for an event query). */
  stage: number;
  /** Position in the rule file. */
  line: number;
  column: number;
  /** Inside a `not`: part of an exclusion. */
  negated: boolean;
  /** Times the predicate was evaluated (with short-circuit, as the engine does) and came out true / false. */
  true: number;
  false: number;
}

export interface ClauseCoverageReport {
  rules: unknown[];
}
