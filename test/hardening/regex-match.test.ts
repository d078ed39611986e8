/**
 * The IR's `match` call (EQL's legacy match(), Sigma `re`, KQL wildcards with escaped `*` and
 * text-field word searches) runs accepted patterns on the linear-time automaton where it can: a
 * pattern such as `a\*` followed by several `*` runs takes polynomial time on RegExp (53 s over a
 * 500-character value before). No timing assertions: a regression would hang the test, which tap
 * reports as a timeout. Exponential shapes stay refused, as before.
 */
import t from 'tap';
import { compileQuery } from '../../src/engine/index.js';
import type { CompileOptions } from '../../src/engine/types.js';
import type { CanonicalEvent, ReplayEvent } from '../../src/events/types.js';

function hits(text: string, options: CompileOptions, docs: CanonicalEvent[]): number[] {
  const res = compileQuery(text, options);
  if (!res.ok) throw new Error(`does not compile: ${JSON.stringify(res.errors)}`);
  const out: number[] = [];
  const det = res.query.newDetector((a) => out.push(...a.events.map((e) => e.ordinal)));
  docs.forEach((doc, ordinal) => det.push({ doc, timestamp: ordinal, key: `line:${ordinal + 1}`, dataset: 'd', ordinal } satisfies ReplayEvent));
  det.finish();
  return out;
}

const cmd = (command_line: string): CanonicalEvent => ({ event: { category: ['process'] }, process: { command_line, name: 'x.exe' } });

t.test('KQL: a wildcard with an escaped * and many runs, over long values', async (t) => {
  const long = 'x'.repeat(100_000);
  t.same(hits('process.command_line:a\\**x*x*x*y', { language: 'kql', fieldView: 'ecs' }, [cmd(`a*${long}`), cmd(`a*${long}y`), cmd(`b*${long}y`)]), [1]);
});

t.test('Sigma re: runs of .* and alternations over long values', async (t) => {
  const rule = (re: string) => `title: t\nlogsource:\n    category: process_creation\n    product: windows\ndetection:\n    sel:\n        CommandLine|re: '${re}'\n    condition: sel\n`;
  const long = 'a'.repeat(60_000);
  const options: CompileOptions = { language: 'sigma', fieldView: 'sigma' };
  const proc = (CommandLine: string): CanonicalEvent => ({ event: { category: ['process'], code: '1' }, winlog: { channel: 'Microsoft-Windows-Sysmon/Operational', event_id: 1, event_data: { CommandLine } }, process: { command_line: CommandLine } });
  const docs = [proc(`${long}!`), proc(`${long}b${long}c`), proc('no')];
  t.same(hits(rule('a.*a.*a.*a.*c'), options, docs), [1]);
  t.same(hits(rule('(?i)A{3}.*B'), options, docs), [1]);
  t.same(hits(rule('a.*a.*a.*c$'), options, docs), [1], 'with Sigma\'s end anchor');
  // still refused: exponential on the SIEM's backtracking engine
  t.notOk(compileQuery(rule('(a+)+b'), options).ok);
});

t.test('EQL match(): same answers, linear on long values', async (t) => {
  const long = 'ab'.repeat(40_000);
  const opts: CompileOptions = { language: 'eql', fieldView: 'endgame', dialect: 'endgame' };
  const q = (p: string) => `process where match(command_line, "${p}")`;
  const docs = [cmd(`${long}c`), cmd(long)];
  t.same(hits(q('.*a.*b.*c$'), opts, docs), [0]);
  t.same(hits(q('(ab)*c'), opts, docs), [0]);
  t.same(hits(q('b'), opts, docs), [], 'match() is anchored at the start');
});
