/**
 * SPL regular expressions cannot hang a run: `match()` runs regular patterns on the linear-time
 * automaton (with PCRE's unanchored-search semantics), anything that must backtrack is refused when
 * its shape is exponential, and `like`/wildcards match without backtracking. No timing
 * assertions: a ReDoS pattern that regressed to backtracking would hang the test, which tap
 * reports as a timeout.
 */
import t from 'tap';
import { compileQuery } from '../../src/engine/index.js';
import { jsRegexAutomatonTest, pcreAutomatonTest, pcreToRegExp, splRegexTest } from '../../src/engine/spl/regex.js';
import { SplError } from '../../src/engine/spl/lexer.js';
import { likeRegExp, wildcardRegExp } from '../../src/engine/spl/values.js';
import { proc, runSpl, splErrors } from '../engine/spl-helpers.js';
import { rng } from '../fuzz/fuzz-lib.js';

const SPAN = { start: 10, end: 30 };
const LONG_A = 'a'.repeat(100_000);

t.test('classic ReDoS patterns in match() run on the automaton and answer at once', async (t) => {
  const cases: Array<[string, string, boolean]> = [
    ['(a+)+$', `${LONG_A}!`, false],
    ['(a+)+$', LONG_A, true],
    ['(a|aa)+$', `${LONG_A}!`, false],
    ['(a|aa)+$', `x${LONG_A}`, true],
    ['(\\w+\\s?)*$', `${'word '.repeat(20_000)}!`, true], // `*` matches the empty run at the end
    ['^(\\w+\\s?)+$', `${'word '.repeat(20_000)}!`, false],
    ['^(a|a?)+$', `${LONG_A}b`, false],
    ['^(a|a?)+$', LONG_A, true],
    ['\\s+$', `${' '.repeat(100_000)}x`, false], // polynomial on a backtracking engine
    ['(.*a){12}', 'a'.repeat(5_000), true],
  ];
  for (const [pattern, input, expected] of cases) {
    const re = splRegexTest(pattern, SPAN);
    t.equal(re.engine, 'dfa', `${pattern} is regular`);
    t.equal(re.test(input), expected, `${pattern} on ${input.length} characters`);
  }
});

t.test('patterns that must backtrack are refused when exponential, with the position of the group', async (t) => {
  // a back-reference or \b makes the pattern non-regular: the backtracking engine needs a safe shape
  for (const [pattern, offset] of [
    ['(a+)+\\1$', 0],
    ['\\b(a|aa)+$', 2],
    ['(?i)x(\\w+\\s?)*(?=!)', 5],
    ['^(?:a|a?)+\\b', 1],
  ] as const) {
    const err = (() => {
      try {
        splRegexTest(pattern, SPAN);
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    t.ok(err instanceof SplError, `${pattern} refused`);
    const e = err as SplError;
    t.equal(e.kind, 'semantic');
    t.match(e.message, /unsafe regular expression .*exponential time/);
    t.equal(e.span.start, SPAN.start + 1 + offset, `${pattern}: points at the repeated group`);
  }
  // replace() needs JavaScript's RegExp, so even a regular ReDoS shape is refused there
  t.throws(() => pcreToRegExp('(a|aa)+$', SPAN, 'g'), /unsafe regular expression/);
  // safe non-regular patterns still work
  const word = splRegexTest('\\bcmd\\b', SPAN);
  t.equal(word.engine, 'backtracking');
  t.ok(word.test('run cmd now'));
  t.notOk(word.test('runcmdnow'));
  const backref = splRegexTest('(["\'])x\\1', SPAN);
  t.ok(backref.test('say "x" now'));
  t.notOk(backref.test('say "x\' now'));
  t.throws(() => splRegexTest('x'.repeat(5000), SPAN), /4096/, 'overlong pattern refused');
  t.throws(() => splRegexTest('(?x)a b', SPAN), /\(\?x\)/);
  t.throws(() => splRegexTest('a(b', SPAN), /invalid regular expression/);
});

t.test('PCRE semantics on the automaton: unanchored search, anchors, dot, flags, classes', async (t) => {
  const yes = (p: string, s: string) => t.ok(splRegexTest(p, SPAN).test(s), `${p} matches ${JSON.stringify(s)}`);
  const no = (p: string, s: string) => t.notOk(splRegexTest(p, SPAN).test(s), `${p} does not match ${JSON.stringify(s)}`);
  yes('(?i)invoke-command\\s+-computername', 'x INVOKE-COMMAND  -ComputerName y');
  no('invoke-command', 'INVOKE-COMMAND');
  yes('^abc$', 'abc');
  yes('^abc$', 'abc\n'); // `$` also before a final newline
  no('^abc$', 'abc\n\n');
  no('^abc', 'xabc');
  yes('abc', 'xxabcxx');
  no('a.c', 'a\nc');
  yes('(?s)a.c', 'a\nc');
  no('^[^a]$', '');
  yes('^[^a]$', 'b');
  yes('\\d{3}-\\d{4}', 'call 555-1234');
  no('^\\d{3}$', '1234');
  yes('[]x]', ']');
  yes('\\x41\\x{263A}', 'A\u263a');
  yes('(?P<n>foo)bar', 'foobar');
  yes("(?'n'foo)bar", 'foobar');
  yes('(^|\\\\)cmd\\.exe$', 'C:\\Windows\\cmd.exe');
  no('(^|\\\\)cmd\\.exe$', 'C:\\xcmd.exe');
  yes('(^|\\\\)cmd\\.exe$', 'cmd.exe');
  yes('\\Acmd\\z', 'cmd');
  no('\\Acmd\\z', 'cmd\n');
  yes('\\Acmd\\Z', 'cmd\n');
  yes('[\\w.-]+@[\\w-]+\\.com', 'mail bob.x@ex-ample.com now');
  yes('[^\\d\\s]', '12 x');
  no('[^\\d\\s]', '12 3');
  yes('(?i)[A-Z]{3}', 'abc');
  yes('a{2,}b*?c', 'xaac');
  no('a{2,}c', 'xac');
  yes('😀+', 'x😀😀');
  // frame characters in the data are not anchors
  no('^b', 'a\ufdd0b');
  // anchored at the start only (Python's re.match), for callers with that semantics
  const atStart = pcreAutomatonTest('ab+', { i: true }, true);
  t.ok(atStart?.('ABBx'));
  t.notOk(atStart?.('xab'));
  t.equal(pcreAutomatonTest('(?=a)', {}, false), undefined, 'lookarounds are not for the automaton');
});

t.test('the automaton agrees with a backtracking oracle on random regular patterns', async (t) => {
  const r = rng(Number(process.env.FUZZ_SEED ?? 777));
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)] as T;
  const atom = (depth: number): string => {
    const k = r();
    if (k < 0.35) return pick(['a', 'b', 'c', '\\n']);
    if (k < 0.45) return pick(['.', '[ab]', '[^a]', '\\w', '\\s', '\\d', '[a-c\\n]']);
    if (k < 0.55 && depth < 3) return `(${alt(depth + 1)})`;
    if (k < 0.6 && depth < 3) return `(?:${alt(depth + 1)})`;
    return pick(['a', 'b']);
  };
  const quant = () => pick(['', '', '', '*', '+', '?', '{2}', '{1,3}', '{2,}', '*?', '+?']);
  const seq = (depth: number): string => {
    let s = '';
    const n = 1 + Math.floor(r() * 4);
    for (let i = 0; i < n; i++) s += atom(depth) + quant();
    return s;
  };
  const alt = (depth: number): string => (r() < 0.25 ? `${seq(depth)}|${seq(depth)}` : seq(depth));
  // The oracle: the same pattern with PCRE's `.` and `$` spelled for JavaScript.
  const oracle = (p: string, flags: string) => new RegExp(p.replace(/(?<!\\)\./g, flags.includes('s') ? '[\\s\\S]' : '[^\\n]').replace(/\$$/, '(?=\\n?$)'), flags.includes('i') ? 'i' : '');
  let compared = 0;
  for (let k = 0; k < 600; k++) {
    const flags = pick(['', '', 'i', 's']);
    let p = alt(0);
    if (r() < 0.2) p = `^${p}`;
    if (r() < 0.2) p = `${p}$`;
    const full = flags ? `(?${flags})${p}` : p;
    let oracleRe: RegExp;
    try {
      oracleRe = oracle(p, flags);
    } catch {
      continue;
    }
    const re = splRegexTest(full, SPAN);
    if (re.engine !== 'dfa') {
      t.fail(`${full} should be regular`);
      continue;
    }
    for (let j = 0; j < 8; j++) {
      let input = '';
      const n = Math.floor(r() * 10);
      for (let i = 0; i < n; i++) input += pick(['a', 'b', 'c', 'A', '\n', '1', ' ']);
      const got = re.test(input);
      const want = oracleRe.test(input);
      compared++;
      if (got !== want) {
        t.fail(`${JSON.stringify(full)} on ${JSON.stringify(input)}: automaton ${got}, RegExp ${want}`);
        return;
      }
    }
  }
  t.ok(compared > 3000, `${compared} comparisons agree`);
});

t.test('like and wildcards match without backtracking, with their semantics', async (t) => {
  t.ok(likeRegExp('power%').test('powershell.exe'));
  t.notOk(likeRegExp('power%').test('PowerShell.exe'), 'case-sensitive');
  t.ok(likeRegExp('%.exe').test('a.exe'));
  t.ok(likeRegExp('a_c').test('abc'));
  t.ok(likeRegExp('a_c').test('a😀c'), '_ is one character');
  t.notOk(likeRegExp('a_c').test('abbc'));
  t.ok(likeRegExp('%a%b%').test('xxaxxbxx'));
  t.notOk(likeRegExp('%a%a%').test('xxaxx'));
  t.ok(likeRegExp('a.*').test('a.*'), 'regex characters are literal');
  t.notOk(likeRegExp('a.*').test('abc'));
  t.ok(likeRegExp('ab%ba').test('aba') === false && likeRegExp('ab%ba').test('abba'), 'prefix and suffix do not overlap');
  // long inputs against many wildcards (O(n^k) for a backtracking `^.*a.*a…$`)
  const many = `%${'a%'.repeat(12)}b`;
  t.notOk(likeRegExp(many).test('a'.repeat(50_000)));
  t.notOk(likeRegExp(`${'%a_'.repeat(8)}%b`).test('a'.repeat(50_000)));
  t.notOk(wildcardRegExp(`*${'a*'.repeat(12)}b`, true).test('A'.repeat(50_000)));
  t.ok(wildcardRegExp('*\\cmd.exe', true).test('C:\\Windows\\CMD.EXE'));
  t.ok(wildcardRegExp('c*d*e', false).test('cde'));
  t.notOk(wildcardRegExp('c*d*e', false).test('cd'));
  t.ok(wildcardRegExp('a?b', false).test('a?b'), '? is literal in SPL');
  t.notOk(wildcardRegExp('a?b', false).test('axb'));
});

t.test('through the compiler: match() results, and refused patterns reported with line and column', async (t) => {
  const evil = proc({ image: 'C:\\Windows\\System32\\cmd.exe', cmd: `cmd.exe /c ${'a'.repeat(60_000)}!`, pid: 7 });
  const base = '| tstats count values(Processes.process) as process from datamodel=Endpoint.Processes by Processes.dest | `drop_dm_object_name(Processes)`';
  t.equal(runSpl(`${base} | where match(process, "(a+)+$")`, [evil]).length, 0);
  t.equal(runSpl(`${base} | where match(process, "(a|aa)+!$")`, [evil]).length, 1);
  t.equal(runSpl(`${base} | where like(process, "%a%a%a%a%a%a%a%b")`, [evil]).length, 0);
  t.equal(runSpl('EventCode=1 CommandLine="*a*a*a*a*a*a*a*b*"', [evil]).length, 0);
  const errs = splErrors(`${base}\n| where match(process, "(?=x)(a|aa)+$")`);
  t.equal(errs.length, 1);
  t.match(errs[0], { kind: 'semantic', line: 2, message: /unsafe regular expression/ });
  t.equal(errs[0]?.column, 24 + 1 + 5, 'the column of the repeated group inside the string');
  const rep = splErrors(`${base} | eval x=replace(process, "(\\\\w+\\\\s?)*$", "")`);
  t.match(rep[0], { kind: 'semantic', message: /unsafe regular expression/ });
  // a refused rule is not runnable: compileQuery gives errors, never a query that silently passes
  t.notOk(compileQuery(`${base} | where match(process, "(a)\\\\1(b+)+")`, { language: 'spl', fieldView: 'cim' }).ok);
});

t.test('JavaScript-syntax patterns (the IR match call) on the automaton agree with RegExp', async (t) => {
  // KQL's wildcard-with-escapes and Sigma-style patterns: polynomial on a backtracking engine
  const kql = jsRegexAutomatonTest('a\\*[\\s\\S]*x[\\s\\S]*x[\\s\\S]*x[\\s\\S]*y$', false);
  t.ok(kql, 'regular');
  t.notOk(kql?.(`a*${'x'.repeat(50_000)}`));
  t.ok(kql?.('a*xxxy'));
  t.notOk(kql?.('a*xxxy\n'), '$ is the end of the input only');
  t.equal(jsRegexAutomatonTest('\\Afoo', false), undefined, 'PCRE-only escapes stay on RegExp');
  t.equal(jsRegexAutomatonTest('[]a', false), undefined);
  t.equal(jsRegexAutomatonTest('(?P<n>a)', false), undefined);
  t.equal(jsRegexAutomatonTest('(?<=a)b', false), undefined);
  const r = rng(Number(process.env.FUZZ_SEED ?? 4711));
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)] as T;
  const atom = (depth: number): string => {
    const k = r();
    if (k < 0.3) return pick(['a', 'b', 'c', '\\n', '\\*', '\\.', '\\x41', '\\v']);
    if (k < 0.45) return pick(['.', '[ab]', '[^a]', '\\w', '\\s', '\\S', '\\d', '[\\s\\S]', '[a-c\\n]']);
    if (k < 0.55 && depth < 3) return `(${alt(depth + 1)})`;
    if (k < 0.6 && depth < 3) return `(?:${alt(depth + 1)})`;
    return pick(['a', 'b', '^', '$']);
  };
  const quant = () => pick(['', '', '', '*', '+', '?', '{2}', '{1,3}', '{2,}', '*?', '+?']);
  const seq = (depth: number): string => {
    let s = '';
    const n = 1 + Math.floor(r() * 4);
    for (let i = 0; i < n; i++) {
      const a = atom(depth);
      s += a === '^' || a === '$' ? a : a + quant();
    }
    return s;
  };
  const alt = (depth: number): string => (r() < 0.25 ? `${seq(depth)}|${seq(depth)}` : seq(depth));
  let compared = 0;
  let onAutomaton = 0;
  for (let k = 0; k < 800; k++) {
    const ci = r() < 0.3;
    const p = alt(0);
    let oracle: RegExp;
    try {
      oracle = new RegExp(`^(?:${p})`, ci ? 'is' : 's');
    } catch {
      continue;
    }
    const test = jsRegexAutomatonTest(p, ci);
    if (!test) continue;
    onAutomaton++;
    for (let j = 0; j < 8; j++) {
      let input = '';
      const n = Math.floor(r() * 10);
      for (let i = 0; i < n; i++) input += pick(['a', 'b', 'c', 'A', '\n', '\r', '*', '.', '1', ' ', '\u00a0', '\u000b']);
      compared++;
      if (test(input) !== oracle.test(input)) {
        t.fail(`${JSON.stringify(p)}${ci ? ' (i)' : ''} on ${JSON.stringify(input)}: automaton ${test(input)}, RegExp ${oracle.test(input)}`);
        return;
      }
    }
  }
  t.ok(onAutomaton > 300 && compared > 2500, `${onAutomaton} patterns on the automaton, ${compared} comparisons agree`);
});

t.test("Sigma's (?=\\n?$) end anchor runs on the automaton with RegExp's answers", async (t) => {
  const p = '[\\s\\S]*?(?:a[^\\n]*b(?=\\n?$))';
  const test = jsRegexAutomatonTest(p, false);
  t.ok(test, 'regular');
  const re = new RegExp(`^(?:${p})`, 's');
  for (const s of ['ab', 'ab\n', 'ab\n\n', 'xaxxb', 'a\nb', 'ba', `${'a'.repeat(50_000)}c`]) t.equal(test?.(s), re.test(s.length > 1000 ? 'ac' : s), JSON.stringify(s.slice(0, 20)));
  t.equal(jsRegexAutomatonTest('a(?=\\n?$)b', false), undefined, 'not at the end of a branch: RegExp');
});

t.test('the regex command: keeps rows whose field matches (or does not), refuses what it cannot run', async (t) => {
  const ps = proc({ image: 'C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe', cmd: 'powershell Invoke-Command -ComputerName srv', pid: 31 });
  const note = proc({ image: 'C:\\Windows\\System32\\notepad.exe', cmd: 'notepad.exe', pid: 32 });
  const base = '| tstats count values(Processes.process) as process from datamodel=Endpoint.Processes by Processes.process_name | `drop_dm_object_name(Processes)`';
  const names = (q: string) => runSpl(q, [ps, note]).map((a) => a.events.map((e) => e.key)).flat();
  t.same(names(`${base} | regex process="(?i)invoke-command\\s+-computername"`), [ps.key]);
  t.same(names(`${base} | regex process!="(?i)invoke-command"`), [note.key]);
  t.same(names(`${base} | regex process = "(?i)(notepad\\.exe.{0,4}$)"`), [note.key], 'ESCU: no arguments after the program');
  t.same(names(`${base} | regex no_such_field="x"`), [], 'a missing field does not match');
  t.same(names(`${base} | regex process="(a+)+$"`), [], 'a ReDoS shape runs on the automaton');
  t.match(splErrors(`${base} | regex "invoke"`)[0], { kind: 'unsupported', message: /raw event text/ });
  t.match(splErrors(`${base} | regex _raw="invoke"`)[0], { kind: 'unsupported', message: /raw event text/ });
  t.match(splErrors(`${base} | regex process=`)[0], { kind: 'syntax', message: /regex takes field=/ });
  const unsafe = splErrors(`${base} | regex process="(a|aa)+\\1"`)[0];
  t.match(unsafe, { kind: 'semantic', message: /unsafe regular expression/ });
  t.equal(unsafe?.column, base.length + ' | regex process="'.length + 1, 'at the repeated group');
});
