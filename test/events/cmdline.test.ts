import t from 'tap';
import { splitWindowsCommandLine } from '../../src/events/normalize/cmdline.js';

t.test('spaces and tabs separate arguments; runs of them count once', async (t) => {
  t.same(splitWindowsCommandLine('a b\tc   d'), ['a', 'b', 'c', 'd']);
  t.same(splitWindowsCommandLine('  leading and trailing  '), ['leading', 'and', 'trailing']);
  t.same(splitWindowsCommandLine(''), []);
});

t.test('quotes group, and are removed', async (t) => {
  t.same(splitWindowsCommandLine('"C:\\Program Files\\x.exe" -a "b c"'), ['C:\\Program Files\\x.exe', '-a', 'b c']);
  t.same(splitWindowsCommandLine('a"b c"d'), ['ab cd']);
  t.same(splitWindowsCommandLine('"unterminated arg'), ['unterminated arg']);
  t.same(splitWindowsCommandLine('""'), ['']);
});

t.test('backslashes are literal unless they precede a quote', async (t) => {
  t.same(splitWindowsCommandLine('C:\\Windows\\system32\\svchost.exe -k netsvcs'), ['C:\\Windows\\system32\\svchost.exe', '-k', 'netsvcs']);
  // 2n backslashes + quote: n backslashes, quote toggles
  t.same(splitWindowsCommandLine('"a\\\\" b'), ['a\\', 'b']);
  // 2n+1 backslashes + quote: n backslashes and a literal quote
  t.same(splitWindowsCommandLine('a\\"b'), ['a"b']);
  t.same(splitWindowsCommandLine('a\\\\\\"b'), ['a\\"b']);
  // trailing backslashes stay
  t.same(splitWindowsCommandLine('dir\\ x'), ['dir\\', 'x']);
});

t.test('pre-2008 rule: "" inside quotes is a literal quote and toggles quoting', async (t) => {
  t.same(splitWindowsCommandLine('"a""b" c'), ['a"b c']);
  // after the pair the quote is closed, so the next "" opens and closes an empty run
  t.same(splitWindowsCommandLine('"a""b"" c'), ['a"b', 'c']);
});

t.test('real command lines from the OTRF captures', async (t) => {
  t.same(splitWindowsCommandLine('"C:\\windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe" -noP -sta -w 1 -enc SQBm'), [
    'C:\\windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe',
    '-noP',
    '-sta',
    '-w',
    '1',
    '-enc',
    'SQBm',
  ]);
  t.same(splitWindowsCommandLine('C:\\windows\\system32\\wsmprovhost.exe -Embedding'), ['C:\\windows\\system32\\wsmprovhost.exe', '-Embedding']);
});
