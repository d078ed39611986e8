import t from 'tap';
import { compileSplOk, keys, proc, runSpl, splErrors, sysmon } from './spl-helpers.js';

const PS = 'C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe';
const CMD = 'C:\\Windows\\System32\\cmd.exe';

const invoke = proc({ image: PS, cmd: 'powershell.exe Invoke-Command -ComputerName srv01 -ScriptBlock {whoami}', pid: 10, original: 'PowerShell.EXE' });
const benignPs = proc({ image: PS, cmd: 'powershell.exe -NoProfile Get-Date', pid: 11, original: 'PowerShell.EXE' });
const cmd = proc({ image: CMD, cmd: 'cmd.exe /c dir', pid: 12, original: 'Cmd.Exe', user: 'CORP\\bob', computer: 'WKS02.corp.example.com' });
const fileEvent = sysmon(11, { ProcessGuid: '{1}', ProcessId: '12', Image: CMD, TargetFilename: 'C:\\Users\\bob\\AppData\\Local\\Temp\\evil.ps1', User: 'CORP\\bob' });
const regEvent = sysmon(13, {
  EventType: 'SetValue', ProcessGuid: '{2}', ProcessId: '13', Image: 'C:\\Windows\\regedit.exe',
  TargetObject: 'HKLM\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Run\\Updater', Details: 'C:\\evil.exe', User: 'CORP\\bob',
});
const netEvent = sysmon(3, {
  ProcessGuid: '{3}', ProcessId: '900', Image: 'C:\\Windows\\System32\\svchost.exe', User: 'NT AUTHORITY\\NETWORK SERVICE', Protocol: 'tcp',
  Initiated: 'false', SourceIsIpv6: 'false', SourceIp: '10.0.0.5', SourcePort: '50000', DestinationIp: '10.0.0.9', DestinationPort: '5985',
});
const all = [invoke, benignPs, cmd, fileEvent, regEvent, netEvent];

t.test('tstats over Endpoint.Processes with where and by: one alert per result row', async (t) => {
  const q =
    '| tstats count min(_time) as firstTime max(_time) as lastTime from datamodel=Endpoint.Processes ' +
    'where Processes.process_name=powershell.exe by Processes.dest Processes.process';
  const alerts = runSpl(q, all);
  t.same(keys(alerts), [[benignPs.key], [invoke.key]], 'rows ordered by the group-by values ("-NoProfile" sorts before "Invoke")');
  const grouped = runSpl('| tstats count from datamodel=Endpoint.Processes by Processes.dest', all);
  t.same(keys(grouped), [[invoke.key, benignPs.key], [cmd.key]], 'one row per dest, carrying the events it counted');
  const none = runSpl('| tstats count from datamodel=Endpoint.Processes by Processes.no_such_field', all);
  t.same(none, [], 'a missing group-by value drops the row (no fillnull_value)');
  const filled = runSpl('| tstats fillnull_value=null count from datamodel=Endpoint.Processes by Processes.no_such_field', all);
  t.equal(filled.length, 1, 'fillnull_value turns the missing value into the string "null"');
  t.same(compileSplOk('| tstats count from datamodel=Endpoint.Processes by Processes.no_such_field').unknownFields, [{ name: 'Processes.no_such_field', line: 1, column: 53 }]);
});

t.test('tstats over Filesystem, Registry and Network_Traffic', async (t) => {
  t.same(keys(runSpl('| tstats count from datamodel=Endpoint.Filesystem where Filesystem.file_name=*.ps1 by Filesystem.file_path Filesystem.dest', all)), [[fileEvent.key]]);
  t.same(keys(runSpl('| tstats count from datamodel=Endpoint.Filesystem where Filesystem.file_path="*\\\\Temp\\\\*" Filesystem.process_name=cmd.exe by Filesystem.dest', all)), [[fileEvent.key]]);
  t.same(keys(runSpl('| tstats count from datamodel=Endpoint.Registry where Registry.registry_path="*\\\\CurrentVersion\\\\Run\\\\*" by Registry.registry_value_name Registry.registry_value_data Registry.registry_key_name Registry.action', all)), [[regEvent.key]]);
  t.same(keys(runSpl('| tstats count from datamodel=Network_Traffic where All_Traffic.dest_port=5985 All_Traffic.direction=inbound by All_Traffic.src_ip All_Traffic.dest_ip', all)), [[netEvent.key]]);
  t.same(keys(runSpl('| tstats count from datamodel=Network_Traffic.All_Traffic where All_Traffic.dest_port>=5986 by All_Traffic.src_ip', all)), []);
  t.same(runSpl('| tstats count from datamodel=Endpoint.Processes by Processes.process_name', [fileEvent, regEvent, netEvent]), [], 'Processes holds process starts only');
  const e = splErrors('| tstats count from datamodel=Web.Web by Web.url');
  t.equal(e[0]?.kind, 'unsupported');
  t.match(e[0]?.message, /not supported: datamodel=Web\.Web/);
});

t.test('search language: wildcards, IN, boolean structure, comparisons', async (t) => {
  const where = (w: string) => keys(runSpl(`| tstats count from datamodel=Endpoint.Processes where ${w} by Processes.process_id`, all)).flat();
  t.same(where('Processes.process="*invoke-command*"'), [invoke.key], 'wildcard and case-insensitive value');
  t.same(where('Processes.process_name IN ("CMD.EXE", "pwsh.exe")'), [cmd.key], 'IN is case-insensitive');
  t.same(where('Processes.process_name IN (power*)'), [invoke.key, benignPs.key], 'IN with wildcards');
  t.same(where('Processes.process_name=powershell.exe Processes.process=*Get-Date*'), [benignPs.key], 'implicit AND');
  t.same(where('Processes.process_name=cmd.exe OR Processes.process=*Get-Date*'), [benignPs.key, cmd.key], 'OR');
  t.same(where('Processes.user=CORP\\\\alice Processes.process=*whoami* OR Processes.process=*dir*'), [invoke.key], 'OR binds tighter than AND');
  t.same(where('NOT Processes.process_name=powershell.exe'), [cmd.key], 'NOT');
  t.same(where('Processes.process_name!=powershell.exe'), [cmd.key], '!=');
  t.same(where('Processes.original_file_name!=*'), [], '!= on a missing field matches nothing');
  t.same(where('Processes.process_id>10 Processes.process_id<=12'), [benignPs.key, cmd.key], 'numeric comparisons');
  t.same(where('(Processes.process_name=cmd.exe AND Processes.user="corp\\\\BOB") OR Processes.process_id=10'), [invoke.key, cmd.key], 'parentheses, AND');
  t.same(where('processes.process_name=cmd.exe'), [], 'field names are case-sensitive');
});

t.test('raw search over events: EventData names, CIM aliases, System fields, source', async (t) => {
  t.same(keys(runSpl('EventCode=1 Image="*\\\\cmd.exe"', all)).flat(), [cmd.key]);
  t.same(keys(runSpl('source="XmlWinEventLog:Microsoft-Windows-Sysmon/Operational" EventCode=3 DestinationPort=5985', all)).flat(), [netEvent.key]);
  t.same(keys(runSpl('index=main process_name=powershell.exe dest=wks01*', all)).flat(), [invoke.key, benignPs.key], 'index= is ignored; unprefixed CIM aliases');
  t.same(keys(runSpl('search invoke-command', all)).flat(), [invoke.key], 'a free-text term');
});

t.test('commands after the first: where, eval, rename, table, fields, search, dedup', async (t) => {
  const base = '| tstats count min(_time) as firstTime values(Processes.process) as process from datamodel=Endpoint.Processes by Processes.dest Processes.process_name Processes.user | `drop_dm_object_name(Processes)`';
  t.same(keys(runSpl(`${base} | where process_name="powershell.exe"`, all)).length, 1, 'drop_dm_object_name strips the prefix');
  t.same(runSpl(`${base} | where process_name="POWERSHELL.EXE"`, all).length, 0, 'where compares case-sensitively');
  t.same(runSpl(`${base} | where like(process_name, "power%")`, all).length, 1, 'like()');
  t.same(runSpl(`${base} | where process_name LIKE "%.exe"`, all).length, 2, 'LIKE operator');
  t.same(runSpl(`${base} | where match(process, "(?i)invoke-command\\s+-computername")`, all).length, 1, 'match() with (?i)');
  t.same(runSpl(`${base} | where isnull(no_such) AND isnotnull(user)`, all).length, 2, 'isnull/isnotnull');
  t.same(runSpl(`${base} | where len(process_name) > 7`, all).length, 1, 'len()');
  t.same(runSpl(`${base} | eval n=lower(user) | where n="corp\\\\bob"`, all).length, 1, 'eval lower()');
  t.same(runSpl(`${base} | eval big=if(count>1, "yes", "no"), l=len(dest) | search big=yes l>10`, all).length, 1, 'eval if/len, search after');
  t.same(runSpl(`${base} | rename process_name AS image | search image=cmd.exe`, all).length, 1, 'rename');
  t.same(runSpl(`${base} | table dest user | search process_name=*`, all).length, 0, 'table drops other fields');
  t.same(runSpl(`${base} | fields - user | search user=*`, all).length, 0, 'fields - removes');
  t.same(runSpl(`${base} | fields dest, count | search dest=* count>0`, all).length, 2, 'fields keeps');
  t.same(runSpl(`${base} | dedup dest`, all).length, 2, 'dedup by dest');
  t.same(runSpl('EventCode=1 | dedup Image', all).length, 2, 'dedup over events keeps the first of each');
  t.same(runSpl('EventCode=1 | dedup 2 Image', all).length, 3, 'dedup N');
  t.same(runSpl('EventCode=1 | dedup no_such', all).length, 0, 'dedup removes rows without the field');
  t.same(runSpl('EventCode=1 | dedup no_such keepempty=true', all).length, 3, 'keepempty=true keeps them');
  t.same(runSpl('EventCode=1 | head 1', all).length, 1, 'head');
  t.same(runSpl('EventCode=1 | bin _time span=1h | stats count by _time | search count=3', all).length, 1, 'bin _time span=1h');
  t.same(runSpl('EventCode=1 | bucket _time span=1d as day | stats Values(Image) as images by day | where mvcount(images)=2', all).length, 1, 'bucket … as, aggregation names ignore case');
  t.match(splErrors('EventCode=1 | bin _time')[0], { kind: 'unsupported', message: 'not supported: bin without span=' });
  t.same(runSpl('EventCode=1 | eval x=null() | fillnull value=zero x | search x=zero', all).length, 3, 'fillnull');
});

t.test('stats aggregations by fields', async (t) => {
  const q = (s: string) => runSpl(`EventCode=1 | ${s}`, all);
  t.same(keys(q('stats count by dest')), [[invoke.key, benignPs.key], [cmd.key]]);
  t.equal(q('stats count as n dc(Image) as images values(CommandLine) as cmds min(ProcessId) as lo max(ProcessId) as hi by dest | search n=2 images=1 lo=10 hi=11 cmds="*Get-Date*"').length, 1, 'count, dc, values, min, max');
  t.equal(q('stats count by dest | where count > 1').length, 1);
  t.equal(q('stats count').length, 1, 'stats without by: one row');
  t.equal(q('stats count by no_such').length, 0, 'stats drops rows whose group-by field is missing');
  t.equal(q('stats values(ProcessId) as pids by dest | where mvcount(pids)=2').length, 1, 'values() is a multivalue');
});

t.test('convert ctime and the security_content_ctime macro', async (t) => {
  const at = proc({ image: CMD, cmd: 'cmd.exe /c ver', pid: 99, at: '2024-05-02T03:04:05.000Z' });
  const q = '| tstats count min(_time) as firstTime from datamodel=Endpoint.Processes by Processes.process_id | `security_content_ctime(firstTime)` | search firstTime="2024-05-02T03:04:05"';
  t.equal(runSpl(q, [at]).length, 1);
});

t.test('macros: built-ins, arguments, nesting, errors', async (t) => {
  const q = '| tstats `security_content_summariesonly` count from datamodel=Endpoint.Processes where Processes.process_name=cmd.exe by Processes.dest Processes.no_such | `drop_dm_object_name("Processes")` | `anything_filter`';
  t.equal(runSpl(q, all).length, 1, 'fillnull_value=null from the nested *_config macros keeps the row; _filter is search *');
  const unknown = splErrors('| tstats count from datamodel=Endpoint.Processes | `no_such_macro(1,2)`');
  t.match(unknown[0], { kind: 'semantic', line: 1, column: 52, message: /unknown macro `no_such_macro\(2\)`/ });
  const wrongArity = splErrors('| tstats count from datamodel=Endpoint.Processes | `drop_dm_object_name`');
  t.match(wrongArity[0]?.message, /not defined with 0 argument/);
  const inQuotes = splErrors('search process="`not a macro`"');
  t.same(inQuotes, [], 'macros inside quoted values are not expanded');
  const err = splErrors('| tstats count from datamodel=Endpoint.Processes | `drop_dm_object_name(Processes)` | bogus x');
  t.match(err[0], { kind: 'unsupported', message: 'not supported: bogus', line: 1, column: 87 }, 'positions after an expansion point into the text as written');
});

t.test('unsupported commands and syntax errors are reported, never silently passed', async (t) => {
  for (const [q, msg] of [
    ['EventCode=1 | rex field=CommandLine "(?<x>.*)"', 'not supported: rex'],
    ['EventCode=1 | lookup foo bar', 'not supported: lookup'],
    ['EventCode=1 | join x [search y]', 'not supported: subsearch'],
    ['| inputlookup foo.csv', 'not supported: inputlookup'],
    ['EventCode=1 | stats perc95(x) by y', 'not supported: stats function perc95'],
    ['EventCode=1 | eval x=sha256(y)', 'not supported: eval function sha256()'],
    ['| tstats prestats=true count from datamodel=Endpoint.Processes', 'not supported: tstats prestats=true'],
  ] as const) {
    const e = splErrors(q);
    t.equal(e[0]?.kind, 'unsupported', q);
    t.match(e[0]?.message, msg, q);
  }
  t.match(splErrors('EventCode=1 | where (x="a"')[0], { kind: 'syntax' });
  t.match(splErrors('EventCode=1 | search x="a')[0], { kind: 'syntax', message: /unterminated/ });
  t.match(splErrors('EventCode=1 | rename x')[0], { kind: 'syntax' });
});

t.test('explain shows the data-model constraint and each where clause', async (t) => {
  const q = compileSplOk('| tstats count from datamodel=Endpoint.Processes where Processes.process_name=powershell.exe Processes.process="*-ComputerName*" by Processes.dest');
  const [stage] = q.explain(benignPs.doc);
  t.equal(stage?.matched, false);
  t.same(stage?.clauses.map((c) => c.matched), [true, true, false]);
  t.same(stage?.clauses[2]?.values, { 'process.command_line': 'powershell.exe -NoProfile Get-Date' });
  t.ok(q.fields.includes('process.name'));
});
