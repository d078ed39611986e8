import t from 'tap';
import { versionDifferences } from '../../src/report/console-test.js';
import type { RuleResult, TestResult } from '../../src/replay/types.js';

function test(dataset: string, alertCount: number, status: TestResult['status'] = 'pass'): TestResult {
  return {
    name: dataset,
    dataset,
    expect: alertCount ? 'fire' : 'quiet',
    status,
    message: '',
    alertCount,
    alerts: [],
    location: { file: 'r.yml', line: 1, column: 1 },
    durationMs: 0,
  };
}

function rule(version: number | null, tests: TestResult[], implementation?: string): RuleResult {
  return {
    id: 'id-1',
    version,
    name: 'Rule',
    file: `r${version}.yml`,
    format: 'native',
    language: 'eql',
    fieldView: 'ecs',
    historical: false,
    status: 'pass',
    tests,
    ...(implementation ? { implementation } : {}),
  };
}

t.test('versions side by side, oldest first, with a dash where a version has no test', async (t) => {
  const lines = versionDifferences([
    rule(215, [test('d/a.json', 1), test('d/b.json', 0)]),
    rule(102, [test('d/a.json', 0)]),
    { ...rule(7, [test('d/a.json', 0)]), id: 'other' },
  ]);
  t.same(lines, ['Rule  (v102, v215)', '  a.json: v102: quiet | v215: fires 1', '  b.json: v102: – | v215: quiet']);
});

t.test('implementations of one analytic are labelled by implementation', async (t) => {
  const lines = versionDifferences([rule(null, [test('x.json', 2)], 'LogPoint'), rule(null, [test('x.json', 1)], 'EQL')]);
  t.same(lines, ['Rule  (EQL, LogPoint)', '  x.json: EQL: fires 1 | LogPoint: fires 2']);
});

t.test('a test that could not run says so instead of a verdict', async (t) => {
  const lines = versionDifferences([rule(1, [test('x.json', 0, 'unsupported')]), rule(2, [test('x.json', 1)])]);
  t.same(lines[1], '  x.json: v1: unsupported | v2: fires 1');
});
