/**
 * Hand-built reports covering every status a renderer must handle: passing, failing (with a full
 * explanation), unsupported, missing dataset, untested, a version-less rule, whole-file diagnostics,
 * and text full of characters that need escaping in XML, Markdown and workflow commands.
 */
import type { TestReport, RuleResult, TestResult } from '../../src/replay/types.js';
import type { LintReport } from '../../src/report/lint-report.js';
import type { CheckReport } from '../../src/report/markdown.js';

export const NASTY = 'a <b> & "c" \'d\' 100% x:y, z\r\nnext line\u0001 `tick` | pipe';

function test(partial: Partial<TestResult> & Pick<TestResult, 'name' | 'status'>): TestResult {
  return {
    dataset: 'datasets/otrf/empire.json',
    expect: 'fire',
    message: partial.status === 'pass' ? 'fired 1 time (expected at least 1)' : 'expected an alert, got none',
    alertCount: partial.status === 'pass' ? 1 : 0,
    alerts: [],
    location: { file: 'detections/a.toml', line: 40, column: 3 },
    durationMs: 12.5,
    ...partial,
  };
}

function rule(partial: Partial<RuleResult> & Pick<RuleResult, 'id' | 'name' | 'status' | 'tests'>): RuleResult {
  return { version: 3, file: 'detections/a.toml', format: 'elastic-toml', language: 'eql', fieldView: 'ecs', historical: false, ...partial };
}

export function sampleTestReport(): TestReport {
  const rules: RuleResult[] = [
    rule({
      id: 'aaaaaaaa-0000-0000-0000-000000000001',
      name: 'Alpha passes',
      status: 'pass',
      tests: [
        test({ name: 'fires on empire', status: 'pass', location: { file: 'detections/alpha.toml', line: 30, column: 1 } }),
        test({ name: 'quiet on benign', status: 'pass', expect: 'quiet', reason: 'admin tooling', alertCount: 0, message: 'no alert (expected none)', location: { file: 'detections/alpha.toml', line: 36, column: 1 } }),
      ],
      file: 'detections/alpha.toml',
    }),
    rule({
      id: 'bbbbbbbb-0000-0000-0000-000000000002',
      name: `Bravo fails ${NASTY}`,
      status: 'fail',
      file: 'detections/bravo.toml',
      tests: [
        test({
          name: `stager ${NASTY}`,
          status: 'fail',
          location: { file: 'detections/bravo.tests.yml', line: 7, column: 5 },
          explanation: {
            summary: 'No alert: stage 2 matched 0 events; the nearest candidate failed process.name == "wsmprovhost.exe"',
            stages: [
              {
                stage: 1,
                text: 'process where process.name == "wsmprovhost.exe"',
                matchedEvents: 0,
                nearest: {
                  event: { key: 'record:42', timestamp: '2020-09-20T21:09:11.252Z', fields: { 'process.name': 'powershell.exe' } },
                  explanation: {
                    stage: 0,
                    text: 'process where process.name == "wsmprovhost.exe"',
                    categoryMatched: true,
                    matched: false,
                    clauses: [{ text: 'process.name == "wsmprovhost.exe"', matched: false, values: { 'process.name': 'powershell.exe' } }],
                  },
                },
              },
            ],
          },
        }),
        test({ name: 'second passes', status: 'pass', location: { file: 'detections/bravo.tests.yml', line: 14, column: 5 } }),
      ],
    }),
    rule({
      id: 'cccccccc-0000-0000-0000-000000000003',
      name: 'Charlie unsupported',
      status: 'unsupported',
      language: 'kql',
      file: 'detections/charlie.toml',
      problem: {
        file: 'detections/charlie.toml',
        line: 12,
        column: 9,
        severity: 'error',
        code: 'replay/unsupported',
        message: 'the kql query cannot be run by ruleproof: language kql is not supported',
        hint: 'This rule is reported as not run, never as passing.',
      },
      tests: [test({ name: 'would fire', status: 'unsupported', message: 'the kql query cannot be run by ruleproof', location: { file: 'detections/charlie.toml', line: 50, column: 3 } })],
    }),
    rule({
      id: 'dddddddd-0000-0000-0000-000000000004',
      name: 'Delta missing dataset',
      status: 'error',
      version: null,
      file: 'detections/delta.yml',
      format: 'native',
      tests: [test({ name: 'on a missing file', status: 'error', dataset: 'datasets/nope.json', message: 'dataset datasets/nope.json does not exist', location: { file: 'detections/delta.yml', line: 22, column: 5 } })],
    }),
    rule({ id: 'eeeeeeee-0000-0000-0000-000000000005', name: 'Echo untested', status: 'untested', tests: [], file: 'detections/echo.toml' }),
  ];
  return {
    schemaVersion: 1,
    tool: { name: 'ruleproof', version: '0.1.0' },
    command: 'test',
    summary: { rules: 5, tests: 6, passed: 3, failed: 1, errors: 1, unsupported: 1, untestedRules: 1, datasetWarnings: 1 },
    rules,
    datasets: [
      { path: 'datasets/nope.json', events: 0, warnings: 0, error: 'dataset datasets/nope.json does not exist' },
      { path: 'datasets/otrf/empire.json', events: 2744, warnings: 1 },
    ],
    diagnostics: [
      { file: 'datasets/otrf/empire.json', line: 17, column: 1, severity: 'warning', code: 'dataset/malformed-line', message: 'line 17 is not JSON' },
      rules[2]?.problem as never,
      { file: 'detections/delta.yml', line: 22, column: 5, severity: 'error', code: 'dataset/missing', message: 'test "on a missing file" of Delta missing dataset: dataset datasets/nope.json does not exist', hint: 'Fix the path.' },
    ],
    timings: { totalMs: 812 },
    exitCode: 2,
  };
}

export function sampleLintReport(): LintReport {
  return {
    schemaVersion: 1,
    tool: { name: 'ruleproof', version: '0.1.0' },
    command: 'lint',
    summary: { rules: 4, failedFiles: 0, errors: 2, warnings: 2, infos: 1 },
    diagnostics: [
      { file: 'detections/alpha.toml', line: 0, column: 0, severity: 'warning', code: 'tests/present', message: 'the rule has no fire test' },
      { file: 'detections/alpha.toml', line: 8, column: 12, severity: 'error', code: 'attack/name-mismatch', message: `technique T1021 is named "Remote Services", not "${NASTY}"`, hint: 'Use the catalogue name.' },
      { file: 'detections/alpha.toml', line: 8, column: 12, severity: 'error', code: 'attack/name-mismatch', message: 'technique T1021 is named "Remote Services", not "Remote"' },
      { file: 'detections/dir with space/b#1.toml', line: 3, column: 1, severity: 'warning', code: 'metadata/dates', message: 'updated date is before the creation date' },
      { file: 'detections/charlie.toml', line: 2, column: 1, severity: 'info', code: 'metadata/references', message: 'reference uses http://' },
    ],
    exitCode: 1,
  };
}

export function sampleCheckReport(): CheckReport {
  return {
    schemaVersion: 1,
    tool: { name: 'ruleproof', version: '0.1.0' },
    command: 'check',
    lint: sampleLintReport(),
    test: sampleTestReport(),
    coverage: {
      techniques: [
        { technique: 'T1021.006', name: 'Windows Remote Management', tactics: ['Lateral Movement'], rules: ['Alpha passes', 'Bravo fails'], testedRules: ['Alpha passes'], failingRules: ['Bravo fails'] },
        { technique: 'T1047', name: 'Windows Management Instrumentation', tactics: ['Execution'], rules: ['Charlie unsupported'], testedRules: [], failingRules: ['Charlie unsupported'] },
      ],
      totals: { techniques: 2, tested: 1, rules: 5 },
    },
    exitCode: 2,
  };
}
