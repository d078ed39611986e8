import t from 'tap';
import { matches } from './helpers.js';

const proc = (extra: Record<string, unknown> = {}) => ({
  event: { category: ['process'], type: ['start'] },
  host: { id: 'h1', os: { type: 'windows' } },
  process: {
    name: 'PowerShell.exe',
    pid: 4242,
    args: ['powershell.exe', '-enc', 'SQBFAFgA'],
    executable: 'C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe',
    parent: { name: 'wsmprovhost.exe', pid: 100 },
  },
  user: { id: 'S-1-5-21-1' },
  source: { ip: '10.1.2.3', port: 50123 },
  ...extra,
});

t.test('category filter: event.category, any element; `any` accepts all', async (t) => {
  t.ok(matches('process where true', proc()));
  t.notOk(matches('network where true', proc()));
  t.ok(matches('any where true', proc()));
  t.ok(matches('network where true', proc({ event: { category: ['process', 'network'] } })), 'any element of the array');
  t.ok(matches('process where true', proc({ event: { category: 'process' } })), 'scalar category');
  t.notOk(matches('process where true', { process: { name: 'x' } }), 'no category: no match');
});

t.test('== is case-sensitive, : is case-insensitive', async (t) => {
  t.ok(matches('process where process.name == "PowerShell.exe"', proc()));
  t.notOk(matches('process where process.name == "powershell.exe"', proc()));
  t.ok(matches('process where process.name : "powershell.exe"', proc()));
  t.ok(matches('process where process.name : "POWERSHELL.EXE"', proc()));
  t.notOk(matches('process where process.name == "Power*"', proc()), '== has no wildcards');
});

t.test(': with wildcards and lists', async (t) => {
  t.ok(matches('process where process.name : "power*"', proc()));
  t.ok(matches('process where process.name : "*SHELL.exe"', proc()));
  t.ok(matches('process where process.name : "p?wershell.exe"', proc()));
  t.notOk(matches('process where process.name : "p?shell.exe"', proc()));
  t.ok(matches('process where process.name : ("cmd.exe", "powershell.exe")', proc()));
  t.notOk(matches('process where process.name : ("cmd.exe", "wscript.exe")', proc()));
  t.ok(
    matches('process where process.executable : "?:\\\\Windows\\\\System32\\\\*\\\\powershell.exe"', proc()),
    'escaped backslashes and ? for the drive letter',
  );
});

t.test('array fields: any element matches', async (t) => {
  t.ok(matches('process where process.args : "-ENC"', proc()));
  t.ok(matches('process where process.args == "-enc"', proc()));
  t.ok(matches('process where process.args : ("x", "sqbf*")', proc()));
  t.notOk(matches('process where process.args == "-ENC"', proc()));
  t.notOk(matches('process where process.args != "-enc"', proc()), '!= is the negation of ==: no element may equal');
  t.ok(matches('process where event.type == "start"', proc()));
});

t.test('!= and missing fields', async (t) => {
  t.ok(matches('process where process.name != "cmd.exe"', proc()));
  t.notOk(matches('process where process.name != "PowerShell.exe"', proc()));
  t.ok(matches('process where process.title != "x"', proc()), 'a missing field is not equal to anything');
  t.notOk(matches('process where process.title == "x"', proc()));
  t.ok(matches('process where process.title == null', proc()), '== null: the field is missing');
  t.notOk(matches('process where process.name == null', proc()));
  t.ok(matches('process where process.name != null', proc()));
});

t.test('in / not in / in~', async (t) => {
  t.ok(matches('process where process.pid in (1, 4242)', proc()));
  t.notOk(matches('process where process.pid in (1, 2)', proc()));
  t.ok(matches('process where process.pid not in (1, 2)', proc()));
  t.ok(matches('process where process.name in ("cmd.exe", "PowerShell.exe")', proc()));
  t.notOk(matches('process where process.name in ("powershell.exe")', proc()), 'in is case-sensitive');
  t.ok(matches('process where process.name in~ ("powershell.exe")', proc()));
  t.ok(matches('process where process.name not in~ ("cmd.exe")', proc()));
  t.notOk(matches('process where process.name not in~ ("POWERSHELL.EXE")', proc()));
  t.ok(matches('process where process.missing not in ("a")', proc()), 'not in matches a missing field');
});

t.test('numeric comparisons', async (t) => {
  t.ok(matches('process where process.pid > 4000', proc()));
  t.ok(matches('process where process.pid >= 4242', proc()));
  t.notOk(matches('process where process.pid > 4242', proc()));
  t.ok(matches('process where process.pid < 5000 and process.pid <= 4242', proc()));
  t.ok(matches('process where 4000 < process.pid', proc()), 'literal on the left');
  t.ok(matches('process where process.pid == 4242', proc({ process: { pid: '4242' } })), 'a numeric string in a long field is a number');
  t.notOk(matches('process where process.missing > 1', proc()), 'missing field: comparisons are false');
  t.ok(matches('process where source.port >= 49152', proc()));
});

t.test('?field optional fields', async (t) => {
  t.ok(matches('process where ?process.Ext.token.integrity_level_name == null', proc()));
  t.notOk(matches('process where ?process.Ext.token.integrity_level_name : "System"', proc()));
  t.ok(matches('process where ?process.Ext.token.integrity_level_name : "system"', proc({ process: { Ext: { token: { integrity_level_name: 'System' } } } })));
  t.ok(matches('process where not (?process.Ext.token.integrity_level_name : "System" or ?winlog.event_data.IntegrityLevel : "System")', proc()));
  t.ok(matches('process where ?process.pid == 4242', proc()));
});

t.test('and / or / not and precedence', async (t) => {
  t.ok(matches('process where process.pid == 1 or process.pid == 4242', proc()));
  t.notOk(matches('process where process.pid == 1 and process.pid == 4242', proc()));
  t.ok(matches('process where not process.pid == 1', proc()));
  t.ok(matches('process where process.pid == 1 or process.pid == 4242 and process.name == "PowerShell.exe"', proc()));
  t.notOk(matches('process where (process.pid == 1 or process.pid == 4242) and process.name == "x"', proc()));
  t.ok(matches('process where not (process.pid == 1 or process.name == "x")', proc()));
});

t.test('IP-typed fields compare as addresses', async (t) => {
  const v6 = proc({ source: { ip: '0:0:0:0:0:0:0:1' } });
  t.ok(matches('process where source.ip == "::1"', v6));
  t.notOk(matches('process where source.ip != "::1"', v6));
  t.ok(matches('process where source.ip != "127.0.0.1"', v6));
  t.ok(matches('process where source.ip == "10.1.2.3"', proc()));
  t.ok(matches('process where source.ip in ("::1", "10.1.2.3")', proc()));
  t.ok(matches('process where cidrMatch(source.ip, "10.0.0.0/8")', proc()));
  t.notOk(matches('process where cidrMatch(source.ip, "192.168.0.0/16", "172.16.0.0/12")', proc()));
  t.ok(matches('process where cidrMatch(source.ip, "::1/128")', v6));
  t.ok(matches('process where source.ip > "10.1.2.2" and source.ip < "10.1.2.10"', proc()), 'ordering by address, not text');
  t.ok(matches('process where winlog.ip == "::1"', proc({ winlog: { ip: '0:0:0:0:0:0:0:1' } })), 'untyped field: address literals still compare as addresses');
});

t.test('like / like~ / regex / regex~', async (t) => {
  t.ok(matches('process where process.name like "Power*"', proc()));
  t.notOk(matches('process where process.name like "power*"', proc()), 'like is case-sensitive');
  t.ok(matches('process where process.name like~ "power*"', proc()));
  t.ok(matches('process where process.name like~ ("cmd*", "power*")', proc()));
  t.ok(matches('process where process.name regex "Power[sS]hell\\\\.exe"', proc()));
  t.notOk(matches('process where process.name regex "Power"', proc()), 'regex is anchored to the whole value');
  t.notOk(matches('process where process.name regex "power.*"', proc()));
  t.ok(matches('process where process.name regex~ "power.*"', proc()));
  t.ok(matches('process where process.name regex ".*\\\\.exe"', proc()));
});

t.test('string functions, with ~ forms', async (t) => {
  t.ok(matches('process where startsWith(process.name, "Power")', proc()));
  t.notOk(matches('process where startsWith(process.name, "power")', proc()));
  t.ok(matches('process where startsWith~(process.name, "power")', proc()));
  t.ok(matches('process where endsWith~(process.name, ".EXE")', proc()));
  t.ok(matches('process where stringContains(process.executable, "System32")', proc()));
  t.ok(matches('process where length(process.name) == 14', proc()));
  t.ok(matches('process where indexOf(process.name, "Shell") == 5', proc()));
  t.ok(matches('process where substring(process.name, 0, 5) == "Power"', proc()));
  t.ok(matches('process where substring(process.name, -4) == ".exe"', proc()));
  t.ok(matches('process where concat(process.name, "/", process.pid) == "PowerShell.exe/4242"', proc()));
  t.ok(matches('process where between(process.executable, "System32\\\\", "\\\\v1.0") == "WindowsPowerShell"', proc()));
  t.ok(matches('process where number("0x10", 16) == 16 and number("42") == 42', proc()));
  t.ok(matches('process where string(process.pid) == "4242"', proc()));
  t.notOk(matches('process where startsWith(process.missing, "x")', proc()), 'null in: the leaf is false');
  t.ok(matches('process where not startsWith(process.missing, "x")', proc()), 'and its negation is true');
});

t.test('arithmetic', async (t) => {
  t.ok(matches('process where process.pid + 8 == 4250', proc()));
  t.ok(matches('process where process.pid - process.parent.pid == 4142', proc()));
  t.ok(matches('process where process.pid * 2 == 8484', proc()));
  t.ok(matches('process where process.pid / 1000 == 4', proc()), 'integer division of integers');
  t.ok(matches('process where process.pid / 1000.0 == 4.242', proc()));
  t.ok(matches('process where process.pid % 1000 == 242', proc()));
  t.ok(matches('process where -process.pid == -4242', proc()));
  t.ok(matches('process where add(process.pid, 1) == 4243 and multiply(2, 3) == 6 and modulo(7, 4) == 3', proc()));
});

t.test('strings: escapes, raw strings, comments, backquoted fields', async (t) => {
  t.ok(matches('process where process.executable : """?:\\Windows\\System32\\*"""', proc()));
  t.ok(matches('process where process.name == "Power\\u{53}hell.exe"', proc()));
  t.ok(matches('process where /* inline */ process.pid == 4242 // trailing', proc()));
  t.ok(matches('process where `process.name` == "PowerShell.exe"', proc()));
  t.ok(matches('process where process.name == "a\\"b"', proc({ process: { name: 'a"b' } })));
});

t.test('booleans and dates', async (t) => {
  t.ok(matches('process where flag == true', { event: { category: 'process' }, flag: true }));
  t.ok(matches('process where flag == true', { event: { category: 'process' }, flag: 'true' }));
  t.ok(matches('process where flag', { event: { category: 'process' }, flag: true }));
  t.notOk(matches('process where flag', { event: { category: 'process' }, flag: false }));
  t.ok(matches('process where @timestamp > "2020-01-01T00:00:00Z"', { event: { category: 'process' }, '@timestamp': '2020-09-20T17:08:27.000Z' }));
  t.ok(matches('process where process.version > "1.5.0"', { event: { category: 'process' }, process: { version: '1.11.3' } }), 'version order');
});
