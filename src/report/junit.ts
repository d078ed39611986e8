/**
 * JUnit XML (the de-facto schema most CI systems read: `testsuites > testsuite > testcase` with
 * `failure`, `error`, `skipped`) rendered from a lint, test or check report.
 *
 * - test: one testsuite per rule (id and version in the name), one testcase per test case; a failing
 *   test's `<failure>` carries the one-line verdict as `message` and the explanation as its text; a
 *   test that could not run is an `<error>` (unsupported rules are errors, never skipped: they fail the run).
 * - lint: one testsuite per file with findings, one testcase per finding; errors are failures,
 *   warnings and infos pass with the finding in `system-out`.
 */
import { formatLocation, type Diagnostic } from '../util/diagnostics.js';
import type { RuleResult, TestResult } from '../replay/types.js';
import type { LintReport } from './lint-report.js';
import { reportParts, type GatingReport } from './markdown.js';
import { explanationText } from './sarif-findings.js';

export interface JunitOptions {
  /** Write `time` attributes (default true); off for byte-identical output across runs. */
  timings?: boolean;
}

/** Characters XML 1.0 cannot carry at all, even escaped. */
// eslint-disable-next-line no-control-regex
const INVALID_XML = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

export function xmlText(text: string): string {
  return text.replace(INVALID_XML, '\uFFFD').replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

export function xmlAttr(text: string): string {
  // Line breaks and tabs in attributes are normalized to spaces by parsers unless escaped.
  return xmlText(text).replace(/"/g, '&quot;').replace(/\n/g, '&#10;').replace(/\r/g, '&#13;').replace(/\t/g, '&#9;');
}

interface Counts {
  tests: number;
  failures: number;
  errors: number;
  skipped: number;
  time: number;
}

function attrs(list: Array<[string, string | number | undefined]>): string {
  return list
    .filter((a): a is [string, string | number] => a[1] !== undefined)
    .map(([k, v]) => ` ${k}="${xmlAttr(String(v))}"`)
    .join('');
}

function seconds(ms: number): string {
  return (ms / 1000).toFixed(3);
}

function ruleSuiteName(r: RuleResult): string {
  return r.version === null ? `${r.name} [${r.id}]` : `${r.name} [${r.id}@${r.version}]`;
}

function testCase(r: RuleResult, t: TestResult, timings: boolean): { xml: string; counts: Counts } {
  const counts: Counts = { tests: 1, failures: 0, errors: 0, skipped: 0, time: t.durationMs };
  const head = `    <testcase${attrs([
    ['name', t.name],
    ['classname', ruleSuiteName(r)],
    ['file', t.location.file],
    ['line', t.location.line || undefined],
    ['time', timings ? seconds(t.durationMs) : undefined],
  ])}`;
  const props = `      <properties>\n${[
    ['dataset', t.dataset],
    ['expect', t.expect],
    ['alertCount', String(t.alertCount)],
    ...(t.reason ? [['reason', t.reason]] : []),
  ]
    .map(([k, v]) => `        <property${attrs([['name', k], ['value', v]])}/>`)
    .join('\n')}\n      </properties>`;
  if (t.status === 'pass') return { xml: `${head}>\n${props}\n    </testcase>`, counts };
  const body = [`${formatLocation(t.location)}: ${t.message}`, `dataset: ${t.dataset}`, explanationText(t)].filter(Boolean).join('\n');
  if (t.status === 'fail') {
    counts.failures = 1;
    return { xml: `${head}>\n${props}\n      <failure${attrs([['message', t.message], ['type', 'test/fail']])}>${xmlText(body)}</failure>\n    </testcase>`, counts };
  }
  counts.errors = 1;
  return { xml: `${head}>\n${props}\n      <error${attrs([['message', t.message], ['type', `test/${t.status}`]])}>${xmlText(body)}</error>\n    </testcase>`, counts };
}

/** A rule that cannot run and has no tests still must show up as an error, never as nothing. */
function problemCase(r: RuleResult): { xml: string; counts: Counts } {
  const p = r.problem as Diagnostic;
  const body = `${formatLocation(p)}: ${p.message}${p.hint ? `\n${p.hint}` : ''}`;
  return {
    xml: `    <testcase${attrs([['name', 'compile'], ['classname', ruleSuiteName(r)], ['file', p.file], ['line', p.line || undefined]])}>\n      <error${attrs([['message', p.message], ['type', p.code]])}>${xmlText(body)}</error>\n    </testcase>`,
    counts: { tests: 1, failures: 0, errors: 1, skipped: 0, time: 0 },
  };
}

function suite(name: string, file: string | undefined, cases: Array<{ xml: string; counts: Counts }>, timings: boolean, properties: Array<[string, string]> = []): { xml: string; counts: Counts } {
  const counts = cases.reduce<Counts>(
    (acc, c) => ({
      tests: acc.tests + c.counts.tests,
      failures: acc.failures + c.counts.failures,
      errors: acc.errors + c.counts.errors,
      skipped: acc.skipped + c.counts.skipped,
      time: acc.time + c.counts.time,
    }),
    { tests: 0, failures: 0, errors: 0, skipped: 0, time: 0 },
  );
  const open = `  <testsuite${attrs([
    ['name', name],
    ['tests', counts.tests],
    ['failures', counts.failures],
    ['errors', counts.errors],
    ['skipped', counts.skipped],
    ['time', timings ? seconds(counts.time) : undefined],
    ['file', file],
  ])}`;
  const props = properties.length
    ? `    <properties>\n${properties.map(([k, v]) => `      <property${attrs([['name', k], ['value', v]])}/>`).join('\n')}\n    </properties>\n`
    : '';
  if (!cases.length && !props) return { xml: `${open}/>`, counts };
  return { xml: `${open}>\n${props}${cases.map((c) => c.xml).join('\n')}${cases.length ? '\n' : ''}  </testsuite>`, counts };
}

function testSuites(rules: readonly RuleResult[], timings: boolean): Array<{ xml: string; counts: Counts }> {
  return rules.map((r) => {
    const cases = r.tests.map((t) => testCase(r, t, timings));
    if (!r.tests.length && r.problem) cases.push(problemCase(r));
    const props: Array<[string, string]> = [
      ['rule.id', r.id],
      ['rule.version', r.version === null ? '' : String(r.version)],
      ['rule.status', r.status],
      ['rule.format', r.format],
      ['rule.language', r.language],
    ];
    if (r.historical) props.push(['rule.historical', 'true']);
    return suite(ruleSuiteName(r), r.file, cases, timings, props);
  });
}

function lintSuites(lint: LintReport): Array<{ xml: string; counts: Counts }> {
  const byFile = new Map<string, Diagnostic[]>();
  for (const d of lint.diagnostics) byFile.set(d.file, [...(byFile.get(d.file) ?? []), d]);
  return [...byFile.keys()].sort().map((file) => {
    const cases = (byFile.get(file) as Diagnostic[]).map((d) => {
      const head = `    <testcase${attrs([['name', `${d.code} ${formatLocation(d)}`], ['classname', `lint ${file}`], ['file', d.file], ['line', d.line || undefined]])}`;
      const text = `${formatLocation(d)}: ${d.severity}: ${d.message}${d.hint ? `\nhint: ${d.hint}` : ''}`;
      if (d.severity === 'error') {
        return {
          xml: `${head}>\n      <failure${attrs([['message', d.message], ['type', d.code]])}>${xmlText(text)}</failure>\n    </testcase>`,
          counts: { tests: 1, failures: 1, errors: 0, skipped: 0, time: 0 },
        };
      }
      return { xml: `${head}>\n      <system-out>${xmlText(text)}</system-out>\n    </testcase>`, counts: { tests: 1, failures: 0, errors: 0, skipped: 0, time: 0 } };
    });
    return suite(`lint ${file}`, file, cases, false);
  });
}

export function renderJunit(report: GatingReport, options: JunitOptions = {}): string {
  const timings = options.timings ?? true;
  const parts = reportParts(report);
  const suites = [...(parts.lint ? lintSuites(parts.lint) : []), ...(parts.test ? testSuites(parts.test.rules, timings) : [])];
  const total = suites.reduce(
    (acc, s) => ({ tests: acc.tests + s.counts.tests, failures: acc.failures + s.counts.failures, errors: acc.errors + s.counts.errors, skipped: acc.skipped + s.counts.skipped }),
    { tests: 0, failures: 0, errors: 0, skipped: 0 },
  );
  const totalMs = parts.test?.timings?.totalMs;
  const head = `<testsuites${attrs([
    ['name', `ruleproof ${parts.command}`],
    ['tests', total.tests],
    ['failures', total.failures],
    ['errors', total.errors],
    ['skipped', total.skipped],
    ['time', timings && totalMs !== undefined ? seconds(totalMs) : undefined],
  ])}`;
  const body = suites.length ? `>\n${suites.map((s) => s.xml).join('\n')}\n</testsuites>` : '/>';
  return `<?xml version="1.0" encoding="UTF-8"?>\n${head}${body}\n`;
}
