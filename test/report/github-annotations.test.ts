/**
 * Workflow-command annotations: escaping exactly as the runner decodes it, GitHub's 10-per-level
 * limit with the overflow summarized (never lost), and changed files first.
 */
import t from 'tap';
import { annotationCommand, escapeData, escapeProperty, planAnnotations, workflowCommand } from '../../src/report/github-annotations.js';
import { reportFindings, type Finding } from '../../src/report/sarif-findings.js';
import { NASTY, sampleLintReport, sampleTestReport } from './fixtures.js';

/** The runner's side: split a command line and percent-decode it (the inverse of the escaping). */
function parseCommand(line: string): { command: string; props: Record<string, string>; message: string } {
  const m = /^::([a-z-]+)(?: ([^:]*))?::(.*)$/s.exec(line);
  if (!m) throw new Error(`not a workflow command: ${line}`);
  const unData = (s: string) => s.replace(/%0D/g, '\r').replace(/%0A/g, '\n').replace(/%25/g, '%');
  const unProp = (s: string) => unData(s.replace(/%3A/g, ':').replace(/%2C/g, ','));
  const props: Record<string, string> = {};
  for (const kv of (m[2] ?? '').split(',').filter(Boolean)) {
    const eq = kv.indexOf('=');
    props[kv.slice(0, eq)] = unProp(kv.slice(eq + 1));
  }
  return { command: m[1] as string, props, message: unData(m[3] as string) };
}

t.test('escaping', async (t) => {
  t.equal(escapeData('100% done\r\nnext'), '100%25 done%0D%0Anext');
  t.equal(escapeProperty('a:b,c%\n'), 'a%3Ab%2Cc%25%0A');
  t.equal(escapeData('%0A'), '%250A', 'an already-encoded sequence stays literal');
  const line = workflowCommand('error', { file: 'dir,x/a:b.yml', line: 3, title: NASTY }, NASTY);
  t.notMatch(line, /[\r\n]/, 'one physical line');
  const parsed = parseCommand(line);
  t.same(parsed, { command: 'error', props: { file: 'dir,x/a:b.yml', line: '3', title: NASTY }, message: NASTY }, 'round-trips through the runner\'s decoding');
});

t.test('an annotation carries the location, title and explanation', async (t) => {
  const findings = reportFindings(sampleTestReport());
  const fail = findings.find((f) => f.code === 'test/fail') as Finding;
  const cmd = parseCommand(annotationCommand(fail));
  t.equal(cmd.command, 'error');
  t.same({ file: cmd.props.file, line: cmd.props.line, col: cmd.props.col }, { file: 'detections/bravo.tests.yml', line: '7', col: '5' });
  t.match(cmd.props.title, /^ruleproof: test "stager/);
  t.match(cmd.message, /expected an alert, got none\n\nNo alert: stage 2/);
  const lint = reportFindings(sampleLintReport());
  const whole = parseCommand(annotationCommand(lint.find((f) => f.line === 0) as Finding));
  t.equal(whole.command, 'warning');
  t.notOk('line' in whole.props, 'a whole-file finding has no line');
  const info = parseCommand(annotationCommand(lint.find((f) => f.severity === 'info') as Finding));
  t.equal(info.command, 'notice', 'info findings are notices');
});

function many(n: number, severity: Finding['severity'], file = (i: number) => `detections/r${String(i).padStart(2, '0')}.yml`): Finding[] {
  return Array.from({ length: n }, (_, i) => ({
    kind: 'diagnostic' as const,
    severity,
    code: 'metadata/dates',
    file: file(i),
    line: i + 1,
    column: 1,
    title: 'ruleproof metadata/dates',
    message: `finding ${i}`,
    identity: `x${i}`,
  }));
}

t.test('within the limit, every finding is annotated and nothing is summarized', async (t) => {
  const plan = planAnnotations([...many(10, 'error'), ...many(10, 'warning')]);
  t.equal(plan.lines.length, 20);
  t.equal(plan.overflow.length, 0);
  t.same(plan.overflowCounts, { error: 0, warning: 0, notice: 0 });
});

t.test('beyond 10 per level: 9 findings and one overflow annotation, the rest in the log', async (t) => {
  const findings = [...many(25, 'error'), ...many(11, 'warning'), ...many(3, 'info')];
  const plan = planAnnotations(findings);
  const commands = plan.lines.filter((l) => /^::(error|warning|notice) /.test(l)).map(parseCommand);
  const per = (c: string) => commands.filter((x) => x.command === c);
  t.equal(per('error').length, 10, 'at most 10 error annotations');
  t.equal(per('warning').length, 10, 'at most 10 warning annotations');
  t.equal(per('notice').length, 3);
  t.match(per('error')[9]!.props.title, 'ruleproof: 16 more error(s) not annotated');
  t.notOk(per('error')[9]!.props.file, 'the overflow annotation is not at a file');
  t.match(per('warning')[9]!.props.title, '2 more warning(s)');
  t.same(plan.overflowCounts, { error: 16, warning: 2, notice: 0 });
  t.equal(plan.annotated.length + plan.overflow.length, findings.length, 'every finding is either annotated or in the overflow');
  const group = plan.lines.indexOf('::group::ruleproof: 18 finding(s) beyond GitHub\'s annotation limit');
  t.ok(group >= 0, 'the overflow is printed in a log group');
  t.equal(plan.lines.slice(group + 1, -1).length, 18);
  t.equal(plan.lines.at(-1), '::endgroup::');
  t.match(plan.lines[group + 1], /^detections\/r09\.yml:10:1: error: finding 9 \[metadata\/dates\]$/);
});

t.test('findings in changed files are annotated first', async (t) => {
  const findings = many(15, 'error');
  const changed = new Set(['detections/r12.yml', 'detections/r14.yml']);
  const plan = planAnnotations(findings, { changedFiles: changed });
  const files = plan.lines.slice(0, 9).map((l) => parseCommand(l).props.file);
  t.same(files.slice(0, 2), ['detections/r12.yml', 'detections/r14.yml']);
  t.same(files.slice(2), ['detections/r00.yml', 'detections/r01.yml', 'detections/r02.yml', 'detections/r03.yml', 'detections/r04.yml', 'detections/r05.yml', 'detections/r06.yml']);
});
