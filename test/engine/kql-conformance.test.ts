/**
 * KQL conformance, one row per syntax form, each with events that must match and events that must
 * not (Kibana's grammar, Elasticsearch's semantics on ECS field types). Forms whose fields are
 * decided per event (free text, field patterns, nested) are in kql-fields.test.ts.
 */
import t from 'tap';
import { compileKql } from '../../src/engine/kql/index.js';
import type { Alert } from '../../src/engine/types.js';
import type { CanonicalEvent } from '../../src/events/types.js';

let ordinal = 0;
function matches(text: string, doc: CanonicalEvent): boolean {
  const r = compileKql(text, { language: 'kql', fieldView: 'ecs' });
  if (!r.ok) throw new Error(`compile failed for ${text}: ${JSON.stringify(r.errors)}`);
  const out: Alert[] = [];
  const d = r.query.newDetector((a) => out.push(a));
  d.push({ doc, timestamp: 0, key: `line:${++ordinal}`, dataset: 'x', ordinal: ++ordinal });
  d.finish();
  return out.length === 1;
}

interface Row {
  form: string;
  query: string;
  match: CanonicalEvent[];
  noMatch: CanonicalEvent[];
}

const p = (process: CanonicalEvent): CanonicalEvent => ({ process });

const ROWS: Row[] = [
  // field:value
  { form: 'unquoted value, exact and case-sensitive on keyword', query: 'process.name:svchost.exe', match: [p({ name: 'svchost.exe' })], noMatch: [p({ name: 'SVCHOST.EXE' }), p({ name: 'svchost' })] },
  { form: 'spaces around the colon', query: 'process.name :  svchost.exe', match: [p({ name: 'svchost.exe' })], noMatch: [p({ name: 'x' })] },
  { form: 'unquoted value with inner spaces is one value', query: 'process.title:Windows Host Process', match: [p({ title: 'Windows Host Process' })], noMatch: [p({ title: 'Windows' })] },
  { form: 'quoted field name', query: '"process.name":cmd.exe', match: [p({ name: 'cmd.exe' })], noMatch: [p({ name: 'x' })] },
  { form: 'multi-valued field: any element', query: 'process.args:-enc', match: [p({ args: ['powershell', '-enc', 'x'] })], noMatch: [p({ args: ['-ENC'] })] },
  { form: 'flattened document keys', query: 'process.name:cmd.exe', match: [{ 'process.name': 'cmd.exe' }, { process: { 'name': 'cmd.exe' } }], noMatch: [{ 'process.names': 'cmd.exe' }] },
  // quoting and escapes
  { form: 'quoted value keeps keywords and specials', query: 'process.title:"a and b (c)"', match: [p({ title: 'a and b (c)' })], noMatch: [p({ title: 'a' })] },
  { form: 'escaped quote inside a quoted value', query: 'process.title:"say \\"hi\\""', match: [p({ title: 'say "hi"' })], noMatch: [p({ title: 'say hi' })] },
  { form: 'escaped specials in an unquoted value', query: 'file.path:C\\:\\\\Windows\\\\\\(x\\)', match: [{ file: { path: 'C:\\Windows\\(x)' } }], noMatch: [{ file: { path: 'C:\\Windows\\x' } }] },
  { form: 'escaped keyword', query: 'process.name:\\or', match: [p({ name: 'or' })], noMatch: [p({ name: 'and' })] },
  // wildcards
  { form: 'leading and trailing *', query: 'process.command_line:*\\\\Temp\\\\*', match: [p({ command_line: 'C:\\Users\\a\\Temp\\x.exe' })], noMatch: [p({ command_line: 'C:\\Users\\a\\temp\\x.exe' })] },
  { form: '? is a literal, not a wildcard', query: 'process.name:a?c', match: [p({ name: 'a?c' })], noMatch: [p({ name: 'abc' })] },
  { form: 'wildcard inside a value with spaces', query: 'process.title:Windows * Process', match: [p({ title: 'Windows Host Process' })], noMatch: [p({ title: 'Windows Process' })] },
  { form: 'quoted * is literal', query: 'process.name:"*"', match: [p({ name: '*' })], noMatch: [p({ name: 'cmd.exe' })] },
  // value lists
  { form: 'value list with or', query: 'process.name:(cmd.exe or "power shell.exe")', match: [p({ name: 'cmd.exe' }), p({ name: 'power shell.exe' })], noMatch: [p({ name: 'pwsh.exe' })] },
  { form: 'value list with and (multi-valued)', query: 'process.args:(a and b)', match: [p({ args: ['b', 'a'] })], noMatch: [p({ args: ['a'] })] },
  { form: 'value list with not', query: 'process.name:(not cmd.exe)', match: [p({ name: 'x' }), {}], noMatch: [p({ name: 'cmd.exe' })] },
  { form: 'value list with grouping', query: 'process.args:((a or b) and c)', match: [p({ args: ['b', 'c'] })], noMatch: [p({ args: ['a', 'b'] })] },
  { form: 'value list with wildcards', query: 'process.name:(*.exe or *.dll)', match: [p({ name: 'a.dll' })], noMatch: [p({ name: 'a.sys' })] },
  // boolean structure
  { form: 'keywords in any case', query: 'process.name:a Or process.name:b AND NOT process.pid:1', match: [p({ name: 'a' }), p({ name: 'b', pid: 2 })], noMatch: [p({ name: 'b', pid: 1 })] },
  { form: 'and binds tighter than or', query: 'process.name:a or process.name:b and process.pid:1', match: [p({ name: 'a', pid: 9 })], noMatch: [p({ name: 'b', pid: 9 })] },
  { form: 'grouping', query: '(process.name:a or process.name:b) and process.pid:1', match: [p({ name: 'b', pid: 1 })], noMatch: [p({ name: 'a', pid: 2 })] },
  { form: 'not of a group', query: 'not (process.name:a or process.name:b)', match: [p({ name: 'c' }), {}], noMatch: [p({ name: 'a' })] },
  { form: 'double not', query: 'not not process.name:a', match: [p({ name: 'a' })], noMatch: [p({ name: 'b' })] },
  { form: 'not on a missing field matches', query: 'not process.parent.name:explorer.exe', match: [p({ name: 'x' })], noMatch: [p({ parent: { name: 'explorer.exe' } })] },
  { form: 'multi-line query', query: 'process.name:a\r\n  and\n  process.pid:1', match: [p({ name: 'a', pid: 1 })], noMatch: [p({ name: 'a', pid: 2 })] },
  // existence
  { form: 'field:* exists', query: 'process.parent.name:*', match: [p({ parent: { name: '' } }), p({ parent: { name: 'x' } })], noMatch: [p({ parent: { name: null } }), p({ parent: { name: [] } }), p({})] },
  { form: 'not field:* is missing', query: 'not process.parent.name:*', match: [p({})], noMatch: [p({ parent: { name: 'x' } })] },
  // typed fields
  { form: 'number equality', query: 'process.pid:4', match: [p({ pid: 4 }), p({ pid: '4' })], noMatch: [p({ pid: 40 })] },
  { form: 'number range >', query: 'process.pid > 4', match: [p({ pid: 5 })], noMatch: [p({ pid: 4 })] },
  { form: 'number range <=', query: 'process.pid <= 4', match: [p({ pid: 4 }), p({ pid: -1 })], noMatch: [p({ pid: 5 })] },
  { form: 'range on a multi-valued field: any element', query: 'process.pid >= 100', match: [p({ pid: [1, 200] })], noMatch: [p({ pid: [1, 2] })] },
  { form: 'float range', query: 'event.risk_score < 21.5', match: [{ event: { risk_score: 21 } }], noMatch: [{ event: { risk_score: 21.5 } }] },
  { form: 'keyword range is lexicographic', query: 'process.name >= m', match: [p({ name: 'n.exe' })], noMatch: [p({ name: 'a.exe' })] },
  { form: 'ip equality is by address', query: 'source.ip:"::ffff:10.0.0.1" or source.ip:"2001:db8::1"', match: [{ source: { ip: '2001:0db8:0:0:0:0:0:1' } }], noMatch: [{ source: { ip: '2001:db8::2' } }] },
  { form: 'ip CIDR block', query: 'source.ip:192.168.0.0/16', match: [{ source: { ip: '192.168.4.5' } }], noMatch: [{ source: { ip: '192.169.0.1' } }] },
  { form: 'ip range', query: 'source.ip >= 10.0.0.5 and source.ip < 10.0.0.9', match: [{ source: { ip: '10.0.0.8' } }], noMatch: [{ source: { ip: '10.0.0.9' } }] },
  { form: 'date range', query: '@timestamp >= "2024-01-01" and @timestamp < "2024-01-02"', match: [{ '@timestamp': '2024-01-01T12:00:00Z' }], noMatch: [{ '@timestamp': '2024-01-02T00:00:00Z' }] },
  { form: 'boolean field', query: 'dll.code_signature.trusted:false', match: [{ dll: { code_signature: { trusted: false } } }, { dll: { code_signature: { trusted: 'false' } } }], noMatch: [{ dll: { code_signature: { trusted: true } } }] },
  // analysed text
  { form: 'text field: any word of an unquoted value', query: 'message:failed logon', match: [{ message: 'Logon OK' }], noMatch: [{ message: 'nothing here' }] },
  { form: 'text field: phrase', query: 'message:"failed logon"', match: [{ message: 'A FAILED logon.' }], noMatch: [{ message: 'logon failed' }] },
  { form: 'text field: a dotted word is one token', query: 'message:cmd.exe', match: [{ message: 'ran CMD.EXE /c' }], noMatch: [{ message: 'ran powershell.exe' }, { message: 'cmd' }] },
  { form: 'text field: wildcard per word', query: 'message:power*', match: [{ message: 'ran PowerShell.exe' }], noMatch: [{ message: 'xpower' }] },
  { form: 'text field: numbers with dots are one token', query: 'message:10.0.0.1', match: [{ message: 'from 10.0.0.1:80' }], noMatch: [{ message: 'from 10.0.0.12' }] },
  // match-all
  { form: '* matches everything', query: '*', match: [{}], noMatch: [] },
  { form: '*:* is match_all', query: '*:*', match: [{ a: 1 }, {}], noMatch: [] },
  { form: 'not *:* matches nothing', query: 'not *:*', match: [], noMatch: [{ a: 1 }, {}] },
];

t.test('KQL forms', async (t) => {
  for (const row of ROWS) {
    t.test(`${row.form}: ${row.query}`, async (t) => {
      row.match.forEach((d, i) => t.ok(matches(row.query, d), `matches ${i + 1}: ${JSON.stringify(d)}`));
      row.noMatch.forEach((d, i) => t.notOk(matches(row.query, d), `does not match ${i + 1}: ${JSON.stringify(d)}`));
    });
  }
});

t.test('text fields: tokens as the standard analyzer makes them (PowerShell script blocks)', async (t) => {
  const sb = (text: string) => ({ powershell: { file: { script_block_text: text } } });
  const rows: Array<[string, string, boolean]> = [
    ['powershell.file.script_block_text:"FromBase64String"', '[Convert]::FromBase64String($x)', true],
    ['powershell.file.script_block_text:"IO.Compression.DeflateStream"', 'New-Object IO.Compression.DeflateStream($s)', true],
    ['powershell.file.script_block_text:"Compression"', 'New-Object IO.Compression.DeflateStream($s)', false],
    ['powershell.file.script_block_text:("-FilePath" or ".pst")', 'Export -FilePath x', true],
    ['powershell.file.script_block_text:".pst"', 'C:\\out\\mail.pst', false],
    ['powershell.file.script_block_text:".pst"', 'save as .pst now', true],
    ['powershell.file.script_block_text:"get_item"', 'x.get_item(1)', false],
    ['powershell.file.script_block_text:"get_item"', '$x.Keys | get_item', true],
    ['powershell.file.script_block_text:"a*b"', 'a b', true],
    ['powershell.file.script_block_text:"a*b"', 'ab', false],
    ['powershell.file.script_block_text:"Invoke-Mimikatz -DumpCreds"', 'invoke mimikatz dumpcreds', true],
    ['powershell.file.script_block_text:"Invoke-Mimikatz -DumpCreds"', 'Invoke-Mimikatz -Other -DumpCreds', false],
    ['powershell.file.script_block_text:Mimi*', 'Invoke-Mimikatz', true],
    ['powershell.file.script_block_text:*katz', 'Invoke-Mimikatz', true],
    ['powershell.file.script_block_text:1.2*', 'version 1.25', true],
    ['powershell.file.script_block_text:"10.0"', 'from 10.0.0.1', false],
    ['powershell.file.script_block_text:"a b"', 'a.b', false],
    ['powershell.file.script_block_text:"a b"', 'a..b', true],
    ['powershell.file.script_block_text:"1 2"', '1,2', false],
    ['powershell.file.script_block_text:"a 1"', 'a.1', true],
    ['powershell.file.script_block_text:straße', 'Die STRASSE; die Straße.', true],
    ['powershell.file.script_block_text:"don\'t"', 'I don\'t', true],
  ];
  for (const [query, text, expected] of rows) t.equal(matches(query, sb(text)), expected, `${query} on ${JSON.stringify(text)}`);
  t.ok(matches('message:"logon failure"', { message: ['first line', 'A logon failure'] }), 'a multi-valued text field: any value');
  t.notOk(matches('message:"first logon"', { message: ['first', 'logon'] }), 'a phrase does not span two values');
});

t.test('untyped documents (fields the ECS view does not know): keyword semantics', async (t) => {
  // The same kinds of checks detection-rules' own Python KQL evaluator makes on a schema-less document;
  // one answer differs on purpose: a CIDR block on an untyped field is a plain term, as Elasticsearch
  // maps an IP-looking string dynamically as a keyword, not an ip.
  const doc: CanonicalEvent = {
    count: 1,
    flag: true,
    addr: '192.168.16.3',
    greeting: 'hello world',
    greetings: ['hello world', 'example'],
    counts: [1, 2, 3],
    flags: [true, false],
    tree: [{ a: [{ b: 1 }] }],
  };
  const rows: Array<[string, boolean]> = [
    ['count:1', true], ['count:"1"', true], ['count:0', false], ['flag:true', true], ['flag:false', false],
    ['greeting:"hello world"', true], ['greeting:missing', false],
    ['counts:2', true], ['counts:4', false], ['flags:false', true], ['greetings:example', true],
    ['counts:(1 and 3)', true], ['count:(0 and 1)', false], ['count:(0 or 1)', true], ['counts:(not 1)', false],
    ['count < 2', true], ['count > 2', false],
    ['addr:192.168.0.0/16', false], ['addr:192.168.16.3', true],
    ['greeting:hello*', true], ['greeting:*world', true], ['greeting:bye*', false], ['greeting:"*"', false],
    ['counts:*', true], ['flags:*', true], ['absent:*', false],
    ['tree.a.b:1', true], ['tree.a.b:2', false], ['tree.a.b:*', true],
    ['tree:{ a:{ b:1 } }', true], ['tree:{ a:{ b:2 } }', false],
    ['"hello world"', true], ['example', true], ['hello*', true], ['1', true], ['"missing"', false],
    ['bye*', false], ['"hello world" and "missing"', false], ['"missing" or count:1', true], ['not "missing"', true],
  ];
  for (const [query, expected] of rows) t.equal(matches(query, doc), expected, query);
});

t.test('syntax errors where Kibana has them: keywords need whitespace around them', async (t) => {
  const error = (q: string) => {
    const r = compileKql(q, { language: 'kql', fieldView: 'ecs' });
    return r.ok ? undefined : r.errors[0];
  };
  for (const q of ['"a" or"b"', '"a"and "b"', 'process.name:a or(process.name:b)', 'not(process.name:a)', 'process.name:(a or"b")']) {
    t.match(error(q), { kind: 'syntax' }, `${q} is a syntax error`);
  }
  for (const q of ['"a" or "b"', '"a" \nor "b"', '"a" or\n "b"', 'process.name:(a or "b")', 'not (process.name:a)', '(not process.name:a)', 'x:{ not a:b }']) {
    t.equal(error(q), undefined, `${q} parses`);
  }
  t.ok(matches('process.title:a andb', p({ title: 'a andb' })), 'a keyword needs whitespace after it, or it is part of the value');
});

t.test('escapes as Kibana reads them', async (t) => {
  const path = (p: string) => ({ file: { path: p } });
  // Quoted: only \" \\ \t \r \n \uXXXX are escapes; any other backslash is itself.
  t.ok(matches('file.path:"C:\\Windows\\System32\\svchost.exe"', path('C:\\Windows\\System32\\svchost.exe')), 'a single backslash in quotes is a backslash');
  t.ok(matches('file.path:"C:\\\\Windows"', path('C:\\Windows')), '\\\\ in quotes is one backslash');
  t.notOk(matches('file.path:"C:\\Windows"', path('C:Windows')), 'the backslash is not dropped');
  t.ok(matches('file.path:"C:\\Agent\\tmp"', path('C:\\Agent\tmp')), '\\t in quotes is a tab, even inside a Windows path (as in Kibana)');
  t.ok(matches('file.path:"a\\u0041b"', path('aAb')), '\\uXXXX in quotes');
  t.ok(matches('file.path:"C:\\uninstall.exe"', path('C:\\uninstall.exe')), '\\u without four hex digits is a backslash and a u');
  t.ok(matches('file.path:"say \\"hi\\""', path('say "hi"')), '\\" in quotes');
  // Unquoted: \t \r \n, \uXXXX, specials and keywords; anything else is a syntax error.
  t.ok(matches('file.path:C\\:\\\\Windows\\\\*', path('C:\\Windows\\x')), 'escaped specials unquoted');
  t.ok(matches('file.path:a\\u0041b', path('aAb')), '\\uXXXX unquoted');
  t.ok(matches('file.path:x \\or y', path('x or y')), 'an escaped keyword is part of the value');
  t.ok(matches('file.path:*\\: No such file*', path('x: No such file here')), 'an escape after a space stays in the value');
  const r = compileKql('file.path:C\\Windows', { language: 'kql', fieldView: 'ecs' });
  t.match(r, { ok: false, errors: [{ kind: 'syntax', column: 12, message: /not an escape/ }] }, '\\W unquoted is a syntax error');
});

t.test('date math has no meaning in a replay: reported as unsupported with its position', async (t) => {
  const r = compileKql('event.category:process and @timestamp >= now-30d', { language: 'kql', fieldView: 'ecs' });
  t.match(r, { ok: false, errors: [{ kind: 'unsupported', line: 1, column: 42, message: /date math \(now-30d\)/ }] });
  t.ok(matches('@timestamp >= "2024-01-01"', { '@timestamp': '2024-03-01T00:00:00Z' }), 'a fixed date compares');
});
