/**
 * JUnit XML: well-formed (a strict parser), one testsuite per rule and one testcase per test, counts
 * that add up, failures carrying the explanation, and text that survives any character.
 */
import t from 'tap';
import { renderJunit, xmlAttr, xmlText } from '../../src/report/junit.js';
import { parseXml, type El } from './xml-check.js';
import { NASTY, sampleCheckReport, sampleLintReport, sampleTestReport } from './fixtures.js';

const kids = (el: El, name: string) => el.children.filter((c) => c.name === name);
const num = (el: El, a: string) => Number(el.attrs[a]);

t.test('test report: structure and counts', async (t) => {
  const report = sampleTestReport();
  const xml = renderJunit(report);
  const root = parseXml(xml);
  t.equal(root.name, 'testsuites');
  const suites = kids(root, 'testsuite');
  t.equal(suites.length, report.rules.length, 'one testsuite per rule');
  for (const [i, s] of suites.entries()) {
    const rule = report.rules[i]!;
    t.ok(s.attrs.name!.includes(rule.id), 'suite named with the rule id');
    const cases = kids(s, 'testcase');
    t.equal(num(s, 'tests'), cases.length, `${rule.name}: tests attribute counts its testcases`);
    t.equal(num(s, 'failures'), cases.filter((c) => kids(c, 'failure').length).length);
    t.equal(num(s, 'errors'), cases.filter((c) => kids(c, 'error').length).length);
    if (rule.tests.length) t.same(cases.map((c) => c.attrs.name), rule.tests.map((x) => x.name.replace('\u0001', '\uFFFD')), 'one testcase per test, in order');
  }
  t.equal(num(root, 'tests'), 6);
  t.equal(num(root, 'failures'), 1);
  t.equal(num(root, 'errors'), 2, 'unsupported and missing-dataset tests are errors, not skips');
  t.equal(num(root, 'skipped'), 0);

  const bravo = suites[1]!;
  const failing = kids(bravo, 'testcase')[0]!;
  t.equal(failing.attrs.name, `stager ${NASTY.replace('\u0001', '\uFFFD')}`, 'names survive every character (XML-invalid ones replaced)');
  t.equal(failing.attrs.file, 'detections/bravo.tests.yml');
  t.equal(failing.attrs.line, '7');
  const failure = kids(failing, 'failure')[0]!;
  t.equal(failure.attrs.message, 'expected an alert, got none');
  t.match(failure.text, /No alert: stage 2 matched 0 events/);
  t.match(failure.text, /FAIL process\.name == "wsmprovhost\.exe" \(process\.name="powershell\.exe"\)/);
  const props = kids(kids(failing, 'properties')[0]!, 'property');
  t.same(Object.fromEntries(props.map((p) => [p.attrs.name, p.attrs.value])), { dataset: 'datasets/otrf/empire.json', expect: 'fire', alertCount: '0' });

  const echo = suites[4]!;
  t.equal(num(echo, 'tests'), 0, 'an untested rule is an empty suite');
  t.match(kids(kids(echo, 'properties')[0]!, 'property').map((p) => p.attrs), [{ name: 'rule.id' }, { name: 'rule.version' }, { name: 'rule.status', value: 'untested' }]);
});

t.test('a rule that cannot run and has no tests is an error case', async (t) => {
  const report = sampleTestReport();
  report.rules[2]!.tests = [];
  const root = parseXml(renderJunit(report));
  const charlie = kids(root, 'testsuite')[2]!;
  const c = kids(charlie, 'testcase');
  t.equal(c.length, 1);
  t.equal(kids(c[0]!, 'error')[0]!.attrs.type, 'replay/unsupported');
});

t.test('timings can be left out for byte-identical output', async (t) => {
  const a = renderJunit(sampleTestReport(), { timings: false });
  const other = sampleTestReport();
  for (const r of other.rules) for (const x of r.tests) x.durationMs = 999;
  other.timings.totalMs = 1;
  t.equal(renderJunit(other, { timings: false }), a);
  t.notMatch(a, /time=/);
  t.match(renderJunit(sampleTestReport()), /time="0\.013"/);
});

t.test('lint report: a suite per file, errors fail, warnings pass with the finding in system-out', async (t) => {
  const root = parseXml(renderJunit(sampleLintReport()));
  const suites = kids(root, 'testsuite');
  t.same(suites.map((s) => s.attrs.file), ['detections/alpha.toml', 'detections/charlie.toml', 'detections/dir with space/b#1.toml']);
  t.equal(num(root, 'tests'), 5);
  t.equal(num(root, 'failures'), 2);
  const warning = kids(suites[2]!, 'testcase')[0]!;
  t.equal(kids(warning, 'failure').length, 0);
  t.match(kids(warning, 'system-out')[0]!.text, /warning: updated date is before the creation date/);
});

t.test('check report: lint suites then rule suites', async (t) => {
  const root = parseXml(renderJunit(sampleCheckReport()));
  t.equal(kids(root, 'testsuite').length, 3 + 5);
  t.equal(num(root, 'tests'), 5 + 6);
  t.equal(root.attrs.name, 'ruleproof check');
});

t.test('escaping', async (t) => {
  t.equal(xmlText('a<b>&c'), 'a&lt;b&gt;&amp;c');
  t.equal(xmlAttr('"x"\n\t'), '&quot;x&quot;&#10;&#9;');
  t.equal(xmlText('\u0000\uD800x\uDC00'), '\uFFFD\uFFFDx\uFFFD', 'lone surrogates and NUL cannot be written in XML');
  t.equal(xmlText('😀'), '😀', 'a surrogate pair is fine');
  t.throws(() => parseXml('<a><b></a></b>'), 'the checker itself rejects bad nesting');
  t.throws(() => parseXml('<a x="1" x="2"/>'));
  t.throws(() => parseXml('<a>&bogus;</a>'));
});
