/**
 * Rule regexes cannot hang a run: EQL's Lucene regexes run on a linear-time automaton (the classic
 * ReDoS patterns finish at once on long hostile input, with the same answers as before), and the
 * regexes that must run on JavaScript's backtracking engine (Sigma `re`, the legacy `match`) are
 * refused at compile time when they could take exponential time — a clear error, and the rest of
 * the run goes on.
 */
import t from 'tap';
import { compileQuery } from '../../src/engine/index.js';
import { compileLuceneRegex, compileLuceneRegexBacktracking, LuceneRegexError } from '../../src/engine/lucene-regex.js';
import { automatonMatcher, backtrackingHazard } from '../../src/engine/safe-regex.js';

const CLASSIC = [
  { pattern: '(a+)+b', input: 'a'.repeat(50_000) },
  { pattern: '(a|a)*b', input: 'a'.repeat(50_000) },
  { pattern: '(a|aa)+b', input: 'a'.repeat(50_000) },
  { pattern: '(.*a){20}', input: 'a'.repeat(5_000) + 'b' },
  { pattern: '([a-z]+)*[0-9]', input: 'abcdefghij'.repeat(5_000) + '!' },
  { pattern: '(\\w+\\s?)*x', input: 'word '.repeat(10_000) + '!' },
  { pattern: '.*a.*a.*a.*a.*a.*b', input: 'a'.repeat(20_000) },
  { pattern: '(x+x+)+y', input: 'x'.repeat(50_000) },
];

t.test('classic ReDoS patterns run in linear time on hostile input', async (t) => {
  for (const { pattern, input } of CLASSIC) {
    const m = compileLuceneRegex(pattern, false);
    t.equal(m.engine, 'dfa', pattern);
    // the answer is computed at all: a backtracking engine would not return within the test timeout
    t.equal(m.test(input), false, `${pattern} on ${input.length} characters`);
  }
});

t.test('the automaton gives the answers of the backtracking executors', async (t) => {
  const patterns = [
    'cmd\\.exe', '.*\\\\windows\\\\system32\\\\.*', '[a-f0-9]{32}', '(powershell|pwsh)(\\.exe)?', 'a{2,4}b?', '.*[^a-z]x.*', '@', '#', '<1-300>', '"quoted.literal"', 'x{0}y', '(ab|a)(bc|c)',
    '\\d+\\.\\d+', '[^\\s]+', 'é+ß', '😀.', '.*(a|b){3}.*',
  ];
  const inputs = ['cmd.exe', 'CMD.EXE', 'c:\\windows\\system32\\x', 'C:\\Windows\\System32\\x', 'd41d8cd98f00b204e9800998ecf8427e', 'pwsh', 'powershell.exe', 'aab', 'aaaab', 'aaaaab', 'q#x', '', '255', '301', 'quoted.literal', 'y', 'abc', '1.25', 'a b', 'éé', 'éßß', '😀x', 'zzabbz', 'ab'];
  let compared = 0;
  for (const p of patterns) {
    for (const ci of [false, true]) {
      const fast = compileLuceneRegex(p, ci);
      const old = compileLuceneRegexBacktracking(p, ci);
      for (const s of inputs) {
        compared++;
        if (fast.test(s) !== old.test(s)) t.fail(`${p} (ci=${ci}) on ${JSON.stringify(s)}: ${fast.test(s)} vs ${old.test(s)}`);
      }
    }
  }
  t.ok(compared > 800, `${compared} comparisons`);
});

t.test('huge patterns are refused with a clear error', async (t) => {
  let caught: unknown;
  try {
    compileLuceneRegex('(a{1,1000}){1,1000}', false);
  } catch (err) {
    caught = err;
  }
  t.ok(caught instanceof LuceneRegexError, 'a LuceneRegexError, which the compiler reports at the pattern');
  t.throws(() => compileLuceneRegex('(a{1,1000}){1,1000}', false), /too large/);
  t.throws(() => compileLuceneRegex('a'.repeat(5000), false), /characters long/);
  const r = compileQuery('process where process.name regex "(a{1,1000}){1,1000}"', { language: 'eql', fieldView: 'ecs' });
  t.equal(r.ok, false);
  if (!r.ok) {
    t.match(r.errors[0]?.message, /too large/);
    t.equal(r.errors[0]?.line, 1);
  }
});

t.test('the DFA cache stays bounded on patterns with many states', async (t) => {
  // (a|b)*a(a|b){12}: the DFA has 2^13 states; the cache is flushed instead of growing
  const m = automatonMatcher(
    { t: 'seq', items: [
      { t: 'repeat', min: 0, max: Infinity, node: { t: 'char', set: { ranges: [[97, 98]], negated: false } } },
      { t: 'char', set: { ranges: [[97, 97]], negated: false } },
      { t: 'repeat', min: 12, max: 12, node: { t: 'char', set: { ranges: [[97, 98]], negated: false } } },
    ] },
    false,
  );
  let s = '';
  for (let i = 0; i < 20_000; i++) s += (i * 7919) % 3 ? 'a' : 'b';
  t.equal(m(s), s[s.length - 13] === 'a');
  t.equal(m('a' + 'b'.repeat(12)), true);
  t.equal(m('b'.repeat(13)), false);
});

t.test('backtracking hazards', async (t) => {
  for (const p of ['(a+)+', '(a|a)*', '(\\w+\\s?)*$', '(?:x*y?)+z', '((ab)*c)*', '(a|b)+', '(.*){2,}', '(?<n>a+)+', '(?:a{2,3}){5,}']) {
    t.ok(backtrackingHazard(p), `refused: ${p}`);
  }
  for (const p of ['a+b+c*', '(abc)+', '[a-z]+\\.exe', '(?:\\.exe)?$', '[\\s\\S]*?(?:cmd\\.exe)', '(foo|bar)', '(a+)?', '\\(a+\\)+', '[(a+)]+', '(?:^|(?<=\\n))x', '(?=\\n?$)']) {
    t.equal(backtrackingHazard(p), undefined, `accepted: ${p}`);
  }
  t.match(backtrackingHazard('x'.repeat(10_000))?.message, /characters long/);
});

t.test('a Sigma-style unsafe regex is a compile error; the other rules still compile', async (t) => {
  const bad = compileQuery('process where match(process.command_line, "(\\\\w+\\\\s?)*$")', { language: 'eql', fieldView: 'endgame', dialect: 'endgame' });
  t.equal(bad.ok, false);
  if (!bad.ok) {
    t.match(bad.errors[0]?.message, /exponential time/);
    t.ok(bad.errors[0]!.column > 1, 'the error points at the pattern');
  }
  const good = compileQuery('process where match(process.command_line, "cmd\\\\.exe.*")', { language: 'eql', fieldView: 'endgame', dialect: 'endgame' });
  t.equal(good.ok, true);
});
