/**
 * The assertion language of test cases: `expect`, `count` and `match`, evaluated over the alerts a
 * rule produced on one dataset. Pure functions, so they are tested apart from any engine.
 */
import { getField } from '../events/fields.js';
import type { CanonicalEvent } from '../events/types.js';
import type { CountExpectation, TestCase } from '../rules/model.js';
import type { Alert } from '../engine/types.js';

/** Does a canonical value equal what a test wrote? Arrays match when any element does (ES semantics). */
export function valueMatches(actual: unknown, expected: unknown): boolean {
  if (Array.isArray(expected)) {
    if (!Array.isArray(actual)) return expected.length === 1 && valueMatches(actual, expected[0]);
    return expected.every((e) => actual.some((a) => valueMatches(a, e)));
  }
  if (Array.isArray(actual)) return actual.some((a) => valueMatches(a, expected));
  if (actual === undefined) return expected === null;
  if (typeof expected === 'number' || typeof actual === 'number') {
    const a = Number(actual);
    const e = Number(expected);
    return !Number.isNaN(a) && !Number.isNaN(e) && a === e;
  }
  if (typeof expected === 'boolean' || typeof actual === 'boolean') return String(actual) === String(expected);
  return String(actual) === String(expected);
}

/** The fields of `match` that this event does not satisfy (empty: it matches). */
export function mismatchedFields(doc: CanonicalEvent, match: Record<string, unknown>): string[] {
  const out: string[] = [];
  for (const [field, expected] of Object.entries(match)) {
    if (!valueMatches(getField(doc, field), expected)) out.push(field);
  }
  return out;
}

/** Does some event of the alert carry every `match` value? */
export function alertMatches(alert: Alert, match: Record<string, unknown>): boolean {
  return alert.events.some((e) => mismatchedFields(e.doc, match).length === 0);
}

/** Does some event of some alert carry every `match` value? */
export function someAlertMatches(alerts: readonly Alert[], match: Record<string, unknown>): boolean {
  return alerts.some((a) => alertMatches(a, match));
}

export function countSatisfied(count: CountExpectation | undefined, n: number): boolean {
  if (!count) return true;
  if (count.exact !== undefined && n !== count.exact) return false;
  if (count.min !== undefined && n < count.min) return false;
  if (count.max !== undefined && n > count.max) return false;
  return true;
}

export function describeCount(count: CountExpectation): string {
  if (count.exact !== undefined) return `exactly ${count.exact}`;
  if (count.min !== undefined && count.max !== undefined) return `between ${count.min} and ${count.max}`;
  if (count.min !== undefined) return `at least ${count.min}`;
  if (count.max !== undefined) return `at most ${count.max}`;
  return 'any number of';
}

export interface AssertionVerdict {
  passed: boolean;
  message: string;
  /** Which part failed, to choose the explanation: no alert at all, wrong count, no matching alert, unexpected alert. */
  failure?: 'no-alert' | 'count' | 'match' | 'unexpected-alert';
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

/**
 * What a test is judged on: how many alerts the rule raised on the dataset, and whether some alert
 * has an event carrying every value of the test's `match` (a replay pass notes that as alerts come,
 * without keeping them all: `../replay/workers.ts`).
 */
export interface AlertOutcome {
  count: number;
  someMatch(match: Record<string, unknown>): boolean;
}

/** The outcome of a list of alerts held whole. */
export function outcomeOf(alerts: readonly Alert[]): AlertOutcome {
  return { count: alerts.length, someMatch: (match) => someAlertMatches(alerts, match) };
}

export function judge(test: Pick<TestCase, 'expect' | 'count' | 'match'>, outcome: AlertOutcome): AssertionVerdict {
  const n = outcome.count;
  if (test.expect === 'quiet') {
    if (n === 0) return { passed: true, message: 'quiet as expected: no alert' };
    return { passed: false, failure: 'unexpected-alert', message: `expected no alert, got ${plural(n, 'alert')}` };
  }
  if (n === 0) return { passed: false, failure: 'no-alert', message: 'expected the rule to fire, got no alert' };
  if (!countSatisfied(test.count, n)) {
    return {
      passed: false,
      failure: 'count',
      message: `expected ${describeCount(test.count as CountExpectation)} alert(s), got ${n}`,
    };
  }
  if (test.match && !outcome.someMatch(test.match)) {
    const wanted = Object.entries(test.match)
      .map(([k, v]) => `${k}=${JSON.stringify(v)}`)
      .join(', ');
    return { passed: false, failure: 'match', message: `fired ${plural(n, 'alert')}, but none has an event with ${wanted}` };
  }
  return { passed: true, message: `fired ${plural(n, 'alert')} as expected` };
}
