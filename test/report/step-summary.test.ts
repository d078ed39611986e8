/** The Markdown summary: content, escaping, size budget; the baseline delta; step outputs and context. */
import t from 'tap';
import { writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { renderSummaryMarkdown, COMMENT_BUDGET } from '../../src/report/step-summary.js';
import { compareWithBaseline } from '../../src/report/step-summary-delta.js';
import { mdCell, mdCode, reportParts, truncateMarkdown } from '../../src/report/markdown.js';
import { formatOutputs, githubContext, blobLinkBase } from '../../src/github/env.js';
import { sampleCheckReport, sampleLintReport, sampleTestReport } from './fixtures.js';

t.test('the summary of a failing check', async (t) => {
  const md = renderSummaryMarkdown(sampleCheckReport(), { linkBase: 'https://github.com/o/r/blob/s/' });
  t.match(md, /^## ruleproof check: ⛔ could not run everything/);
  t.match(md, /\| Tests \| 6 \(3 passed, 1 failed, 1 errors, 1 unsupported\) \|/);
  t.match(md, /### Tests that did not pass \(3\)/);
  t.match(md, /\*\*Bravo fails a &lt;b&gt; &amp; "c" 'd' 100% x:y, z next line\u0001 \\`tick\\` \| pipe \(v3\)\*\*/, 'rule names are escaped, on one line');
  t.match(md, /\[`detections\/bravo\.tests\.yml:7:5`\]\(https:\/\/github\.com\/o\/r\/blob\/s\/detections\/bravo\.tests\.yml#L7\)/);
  t.match(md, /### Errors \(4\)/, 'lint errors, the unsupported rule and the missing dataset');
  t.match(md, /<details><summary>Warnings and notes \(4\)<\/summary>/);
  t.match(md, /<details><summary>ATT&CK coverage: 1 of 2 technique\(s\) tested<\/summary>/);
  t.notMatch(md, /Compared with the baseline/);
  // A table row never breaks: pipes are escaped, line breaks flattened.
  for (const line of md.split('\n').filter((l) => l.startsWith('| '))) t.ok(line.endsWith(' |'), `row intact: ${line.slice(0, 60)}`);
});

t.test('markdown helpers', async (t) => {
  t.equal(mdCell('a|b\nc<d>'), 'a\\|b c&lt;d&gt;');
  t.equal(mdCode('x`y'), '``x`y``');
  t.equal(mdCode('`x'), '`` `x ``');
});

t.test('the size budget cuts at a line, closes open details and says so', async (t) => {
  const report = sampleTestReport();
  const template = report.rules[1]!.tests[0]!;
  report.rules[1]!.tests = Array.from({ length: 400 }, (_, i) => ({ ...template, name: `failing ${i}` }));
  const md = renderSummaryMarkdown(report, { maxBytes: 20_000, maxRows: 1000 });
  t.ok(Buffer.byteLength(md) <= 20_000, `within budget (${Buffer.byteLength(md)})`);
  t.match(md, /✂️ \d+ more line\(s\) cut to fit GitHub's size limit/);
  t.equal((md.match(/<details>/g) ?? []).length, (md.match(/<\/details>/g) ?? []).length, 'every details block is closed');
  const small = truncateMarkdown('a\nb\n', 100, () => 'cut');
  t.equal(small, 'a\nb\n', 'text within budget is untouched');
  t.ok(renderSummaryMarkdown(report, { maxBytes: COMMENT_BUDGET }).length <= 65_536, 'fits a PR comment');
});

t.test('baseline delta: tests, lint findings as a multiset, coverage gained and lost', async (t) => {
  const base = sampleCheckReport();
  const head = sampleCheckReport();
  // Bravo's failing test is fixed; Alpha's first test now fails; a test is added; Delta's test removed.
  head.test.rules[1]!.tests[0]!.status = 'pass';
  head.test.rules[0]!.tests[0]!.status = 'fail';
  head.test.rules[0]!.tests.push({ ...head.test.rules[0]!.tests[1]!, name: 'new quiet test' });
  head.test.rules[3]!.tests = [];
  head.lint.diagnostics.push({ ...head.lint.diagnostics[2]!, line: 99 });
  head.lint.diagnostics.splice(4, 1);
  head.coverage.techniques[0]!.testedRules = [];
  head.coverage.techniques[1]!.testedRules = ['Charlie unsupported'];
  const d = compareWithBaseline(reportParts(head), reportParts(base));
  t.same(d.tests?.newlyFailing.map((x) => x.test), ['fires on empire']);
  t.same(d.tests?.fixed.map((x) => x.test), [d.tests?.fixed[0]?.test]);
  t.match(d.tests?.fixed[0]?.test, /^stager /);
  t.equal(d.tests?.added, 1);
  t.equal(d.tests?.removed, 1);
  t.equal(d.lint?.newFindings.length, 1, 'a second copy of an existing finding is new');
  t.equal(d.lint?.resolved, 1);
  t.same(d.coverage?.gained, ['T1047']);
  t.same(d.coverage?.lost, ['T1021.006']);
  const md = renderSummaryMarkdown(head, { delta: d });
  t.match(md, /no longer tested: `T1021\.006`/);
  t.same(compareWithBaseline(reportParts(sampleLintReport()), reportParts(sampleTestReport())), {}, 'nothing to compare across kinds');
});

t.test('step outputs and the event context', async (t) => {
  t.equal(formatOutputs({ a: 1, b: true, c: 'x=y' }), 'a=1\nb=true\nc=x=y\n');
  t.equal(formatOutputs({ m: 'one\ntwo' }, () => 'EOF_1'), 'm<<EOF_1\none\ntwo\nEOF_1\n');
  let n = 0;
  t.equal(formatOutputs({ m: 'EOF_0\nx' }, () => `EOF_${n++}`), 'm<<EOF_1\nEOF_0\nx\nEOF_1\n', 'a delimiter never occurs in the value');

  const dir = mkdtempSync(path.join(tmpdir(), 'ruleproof-ctx-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const event = path.join(dir, 'e.json');
  writeFileSync(event, JSON.stringify({ pull_request: { number: 3, head: { sha: 'h1', repo: { full_name: 'fork/rules' } }, base: { repo: { full_name: 'acme/rules' } } } }));
  const ctx = githubContext({ GITHUB_EVENT_PATH: event, GITHUB_REPOSITORY: 'acme/rules', GITHUB_SHA: 'merge1' });
  t.match(ctx.pullRequest, { number: 3, headSha: 'h1', fromFork: true });
  t.equal(blobLinkBase(ctx), 'https://github.com/acme/rules/blob/h1/');
  writeFileSync(event, JSON.stringify({ pull_request: { number: 4, head: { sha: 'h2', repo: { full_name: 'acme/rules' } }, base: { repo: { full_name: 'acme/rules' } } } }));
  t.equal(githubContext({ GITHUB_EVENT_PATH: event }).pullRequest?.fromFork, false);
  writeFileSync(event, '{not json');
  t.equal(githubContext({ GITHUB_EVENT_PATH: event }).pullRequest, undefined, 'a broken payload is no PR, not a crash');
  t.equal(githubContext({}).apiUrl, 'https://api.github.com');
});
