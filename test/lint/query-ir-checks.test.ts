/** query/contradiction, query/duplicate-condition, query/case-pitfall, query/regex-safety: RuleTester tables. */
import t from 'tap';
import { queryCasePitfall } from '../../src/lint/checks/query-case-pitfall.js';
import { queryContradiction } from '../../src/lint/checks/query-contradiction.js';
import { queryDuplicateCondition } from '../../src/lint/checks/query-duplicate-condition.js';
import { queryRegexSafety } from '../../src/lint/checks/query-regex-safety.js';
import { querySyntax } from '../../src/lint/checks/query-syntax.js';
import { nativeRule, runCheckCases } from './rule-tester.js';

/** The whole message, exactly. */
const exact = (text: string) => new RegExp(`^${text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`);

const eql = (text: string, extra: Record<string, unknown> = {}) => ({ 'r.yml': nativeRule({ query: { language: 'eql', field_view: 'ecs', text }, ...extra }) });
const kql = (text: string) => ({ 'r.yml': nativeRule({ query: { language: 'kql', field_view: 'ecs', text } }) });
const spl = (text: string) => ({ 'r.yml': nativeRule({ query: { language: 'spl', field_view: 'cim', text } }) });
function sigma(detection: string): Record<string, string> {
  const body = detection.split('\n').map((l) => (l ? `    ${l}` : l)).join('\n');
  return {
    'r.yml': `title: A rule
id: 1a2b3c4d-1111-4222-8333-444455556666
status: test
description: What it detects.
level: medium
logsource:
    category: process_creation
    product: windows
detection:
${body}
`,
  };
}

t.test('query/contradiction', (t) =>
  runCheckCases(t, queryContradiction, {
    valid: [
      { name: 'different fields', files: eql('process where process.name == "a.exe" and process.parent.name == "b.exe"\n') },
      { name: 'an OR of two values', files: eql('process where process.name == "a.exe" or process.name == "b.exe"\n') },
      { name: 'a multi-valued field (ECS array) may hold both values', files: eql('process where process.args == "-enc" and process.args == "-nop"\n') },
      { name: 'case-insensitive equalities that agree', files: eql('process where process.name : "CMD.EXE" and process.name == "cmd.exe"\n') },
      { name: 'overlapping memberships', files: eql('process where process.name in ("a.exe", "b.exe") and process.name in ("b.exe", "c.exe")\n') },
      { name: 'an exclusion of another value', files: eql('process where process.name : "cmd.exe" and not process.name : "powershell.exe"\n') },
      { name: 'a case-sensitive exclusion does not cover a case-insensitive requirement', files: eql('process where process.name : "cmd.exe" and not process.name == "cmd.exe"\n') },
      { name: 'ranges that overlap', files: eql('network where destination.port > 1024 and destination.port <= 65535\n') },
      { name: 'Sigma: one value per field', files: sigma("selection:\n    Image|endswith: '\\cmd.exe'\n    User: admin\ncondition: selection") },
    ],
    invalid: [
      {
        name: 'EQL: one field equal to two values',
        files: eql('process where process.name == "a.exe" and\n  process.name == "b.exe"\n'),
        errors: [{ at: /process\.name == "b\.exe"/, column: true, message: exact('process.name cannot satisfy both `process.name == "a.exe"` and `process.name == "b.exe"`: they accept no common value, so this AND never matches') }],
      },
      {
        name: 'EQL: required and excluded',
        files: eql('process where process.name == "a.exe" and not process.name == "a.exe"\n'),
        errors: [{ at: /not process\.name/, column: true, message: exact('process.name is required by `process.name == "a.exe"` and excluded by `not process.name == "a.exe"`, so this AND never matches') }],
      },
      {
        name: 'EQL: memberships without a common value, inside an OR branch',
        files: eql('process where event.type == "start" or\n  (process.name in ("a.exe", "b.exe") and process.name in~ ("C.exe"))\n'),
        errors: [{ at: /process\.name in~/, column: true, message: exact('process.name cannot satisfy both `process.name in ("a.exe", "b.exe")` and `process.name in~ ("C.exe")`: they accept no common value, so this AND never matches') }],
      },
      {
        name: 'EQL: numeric ranges that cannot overlap',
        files: eql('network where destination.port > 1024 and destination.port < 80\n'),
        errors: [{ at: /destination\.port < 80/, column: true, message: exact('the numeric conditions on destination.port (`destination.port > 1024` and `destination.port < 80`) leave no value, so this AND never matches') }],
      },
      {
        name: 'KQL: equal to two values',
        files: kql('process.name : "a.exe" and process.name : "b.exe"'),
        errors: [{ at: /process\.name : "b\.exe"/, column: true, message: exact('process.name cannot satisfy both `process.name : "a.exe"` and `process.name : "b.exe"`: they accept no common value, so this AND never matches') }],
      },
      {
        name: 'KQL: an equality outside a range',
        files: kql('destination.port : 22 and destination.port >= 1024'),
        errors: [{ at: /destination\.port >= 1024/, column: true, message: exact('the numeric conditions on destination.port (`destination.port : 22` and `destination.port >= 1024`) leave no value, so this AND never matches') }],
      },
    ],
  }),
);

t.test('query/duplicate-condition', (t) =>
  runCheckCases(t, queryDuplicateCondition, {
    valid: [
      { name: 'distinct conditions and values', files: eql('process where process.name in ("a.exe", "b.exe") and process.parent.name == "c.exe"\n') },
      { name: 'case-sensitive values differing in case', files: eql('process where process.name in ("A.exe", "a.exe")\n') },
      { name: 'Sigma: distinct list values', files: sigma("selection:\n    Image|endswith:\n        - '\\a.exe'\n        - '\\b.exe'\ncondition: selection") },
    ],
    invalid: [
      {
        name: 'EQL: the same condition twice in one AND',
        files: eql('process where process.name == "a.exe" and\n  process.parent.name == "b.exe" and\n  process.name == "a.exe"\n'),
        errors: [{ at: /process\.name == "a\.exe"/, nth: 1, column: true, message: exact('the condition `process.name == "a.exe"` appears twice in one AND (first at line 12)') }],
      },
      {
        name: 'EQL: the same value twice in an in~ list, case-insensitively',
        files: eql('process where process.name in~ ("a.exe", "b.exe", "A.EXE")\n'),
        errors: [{ at: /"A\.EXE"/, column: true, message: exact('the value "A.EXE" is listed twice for process.name') }],
      },
      {
        name: 'KQL: the same condition twice in one OR',
        files: kql('process.name : "a.exe" or\nprocess.name : "b.exe" or\nprocess.name : "a.exe"\n'),
        errors: [{ at: /process\.name : "a\.exe"/, nth: 1, column: true, message: exact('the condition `process.name : "a.exe"` appears twice in one OR (first at line 12)') }],
      },
      {
        name: 'Sigma: a value listed twice',
        files: sigma("selection:\n    Image|endswith:\n        - '\\a.exe'\n        - '\\b.exe'\n        - '\\a.exe'\ncondition: selection"),
        errors: [{ at: /(?<=- )'\\a\.exe'/, nth: 1, column: true, message: exact('the value "\\\\a.exe" is listed twice for Image|endswith') }],
      },
    ],
  }),
);

t.test('query/case-pitfall', (t) =>
  runCheckCases(t, queryCasePitfall, {
    valid: [
      { name: 'a lower-case value', files: eql('process where process.name == "cmd.exe"\n') },
      { name: 'a case-insensitive comparison', files: eql('process where process.name : "CMD.EXE" and process.executable like~ "C:\\\\Windows\\\\*"\n') },
      { name: 'a field that is not a Windows name', files: eql('process where event.action == "Process Create"\n') },
      { name: 'a Linux rule with a name that is not Windows-like', files: eql('process where process.name == "Xorg"\n') },
    ],
    invalid: [
      {
        name: '== on a Windows executable name with upper-case letters',
        files: eql('process where process.name == "CMD.EXE"\n'),
        errors: [{ at: /process\.name == "CMD\.EXE"/, column: true, message: exact('"==" compares case-sensitively in EQL, but process.name holds Windows names whose case varies: "CMD.EXE" misses "cmd.exe"'), hint: exact('Write process.name : "CMD.EXE" (":" compares case-sensitively).'.replace('sensitively', 'insensitively')) }],
      },
      {
        name: 'in on a parent executable path',
        files: eql('process where process.parent.executable in ("C:\\\\Windows\\\\explorer.exe", "c:\\\\windows\\\\system32\\\\svchost.exe")\n'),
        errors: [{ at: /"C:\\\\Windows/, column: true, message: exact('"in" compares case-sensitively in EQL, but process.parent.executable holds Windows names whose case varies: "C:\\\\Windows\\\\explorer.exe" misses "c:\\\\windows\\\\explorer.exe"'), hint: /in~/ }],
      },
      {
        name: 'like on a registry path in a rule tagged for Windows',
        files: eql('registry where registry.path like "HKLM\\\\SOFTWARE\\\\Run*"\n', { tags: ['OS: Windows'] }),
        errors: [{ at: /registry\.path like/, column: true, message: exact('"like" compares case-sensitively in EQL, but registry.path holds Windows names whose case varies: "HKLM\\\\SOFTWARE\\\\Run*" misses "hklm\\\\software\\\\run*"'), hint: /like~/ }],
      },
      {
        name: 'an Elastic Defend field (process.Ext.*) from the generated schema',
        files: eql('process where process.Ext.effective_parent.executable == "C:\\\\Windows\\\\Explorer.exe"\n'),
        errors: [{ at: /process\.Ext/, column: true, message: /^"==" compares case-sensitively in EQL, but process\.Ext\.effective_parent\.executable holds Windows names/ }],
      },
    ],
  }),
);

t.test('query/regex-safety', (t) =>
  runCheckCases(t, queryRegexSafety, {
    valid: [
      { name: 'EQL: a Lucene regex (automaton, linear)', files: eql('process where process.name regex~ "cmd\\\\.(exe|com)"\n') },
      { name: 'EQL: nested repetition is linear on Lucene automata', files: eql('process where process.name regex "(a+)+b"\n') },
      { name: 'Sigma: a plain |re', files: sigma("selection:\n    CommandLine|re: '-e(nc|ncodedcommand) [A-Za-z0-9+/=]{20,}'\ncondition: selection") },
      { name: 'SPL: a safe match()', files: spl('index=main | where match(process_name, "^cmd\\.exe$")') },
    ],
    invalid: [
      {
        name: 'EQL: not Lucene syntax',
        files: eql('process where\n  process.name regex "[a-z"\n'),
        errors: [{ at: /process\.name regex/, column: true, message: /^the regular expression does not compile: Invalid regex \[\[a-z\]: / }],
      },
      {
        name: 'Sigma: |re with nested repetition (exponential on a backtracking engine)',
        files: sigma("selection:\n    CommandLine|re: '(a+)+b'\ncondition: selection"),
        errors: [{ at: /CommandLine\|re/, column: true, message: /^the regular expression is not linear-time safe: Unsafe regex \[.*\(a\+\)\+b.*\]: a repeated group that itself repeats or alternates/ }],
      },
      {
        name: 'Sigma: |re that does not compile',
        files: sigma("selection:\n    CommandLine|re: 'ab['\ncondition: selection"),
        errors: [{ at: /CommandLine\|re/, column: true, message: /^the regular expression does not compile: invalid regular expression: / }],
      },
      {
        name: 'SPL: match() with alternation under a star (PCRE backtracks)',
        files: spl('index=main\n| where match(process_name, "(a|aa)*c")'),
        errors: [{ at: /\(a\|aa\)\*c"/, column: true, message: /^the regular expression is not linear-time safe: unsafe regular expression "\(a\|aa\)\*c": a repeated group/ }],
      },
      {
        name: 'SPL: a regex command that does not compile',
        files: spl('index=main\n| regex process_name="cmd[.exe"'),
        errors: [{ at: /"cmd\[\.exe"/, column: true, message: /^the regular expression does not compile: invalid regular expression "cmd\[\.exe"/ }],
      },
    ],
  }),
);

t.test('query/syntax leaves regex errors to query/regex-safety', (t) =>
  runCheckCases(t, querySyntax, {
    valid: [{ name: 'an invalid Sigma regex', files: sigma("selection:\n    CommandLine|re: 'ab['\ncondition: selection") }],
    invalid: [],
  }),
);

t.test('did-you-mean: the banded edit distance agrees with the full one up to its bound', async (t) => {
  const { boundedEditDistance } = await import('../../src/lint/query.js');
  const { editDistance } = await import('../../src/rules/validate.js');
  let seed = 7;
  const random = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
  const word = () => Array.from({ length: 1 + Math.floor(random() * 12) }, () => 'abc.d'[Math.floor(random() * 5)]).join('');
  for (let i = 0; i < 2000; i++) {
    const a = word();
    const b = word();
    const max = Math.floor(random() * 5);
    const full = editDistance(a, b);
    t.equal(boundedEditDistance(a, b, max), full <= max ? full : max + 1, `${a} / ${b} within ${max}`);
  }
});
