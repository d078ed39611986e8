/** Test cases as written (inline `tests:` or a sidecar), validated beforehand, into `TestCase`s. */
import type { CountExpectation, Position, TestCase } from './model.js';

interface RawTestCase {
  name: string;
  dataset: string;
  expect: 'fire' | 'quiet';
  count?: number | CountExpectation;
  match?: Record<string, unknown>;
  reason?: string;
}

export function toTestCases(raw: unknown, file: string, positions: Map<string, Position>, pathPrefix = 'tests'): TestCase[] {
  if (!Array.isArray(raw)) return [];
  return (raw as RawTestCase[]).map((t, i) => {
    const pos = positions.get(`${pathPrefix}.${i}`) ?? { line: 1, column: 1 };
    const test: TestCase = {
      name: t.name,
      // Written with `/` on every platform; a Windows author's `\` is forgiven.
      dataset: t.dataset.replace(/\\/g, '/'),
      expect: t.expect,
      location: { file, line: pos.line, column: pos.column },
    };
    if (t.count !== undefined) test.count = typeof t.count === 'number' ? { exact: t.count } : { ...t.count };
    if (t.match !== undefined) test.match = t.match;
    if (t.reason !== undefined) test.reason = t.reason;
    return test;
  });
}
