/**
 * Sigma conformance tables: every modifier, value form and condition form, each with events that
 * must match and events that must not (semantics as pySigma applies them; docs/sigma.md).
 */
import t from 'tap';
import { hits, rule, security, sysmon } from './sigma-helpers.js';
import type { CanonicalEvent } from '../../src/events/types.js';

interface Case {
  name: string;
  detection: string;
  logsource?: string;
  match: CanonicalEvent[];
  noMatch: CanonicalEvent[];
}

const p1 = (data: Record<string, string>) => sysmon(1, data);
const img = (image: string, extra: Record<string, string> = {}) => p1({ Image: image, ...extra });
const cmd = (commandLine: string) => p1({ Image: 'C:\\Windows\\System32\\cmd.exe', CommandLine: commandLine });
const b64 = (s: string, enc: BufferEncoding = 'utf8') => Buffer.from(s, enc).toString('base64');

const MODIFIERS: Case[] = [
  {
    name: 'plain value: whole value, case-insensitive',
    detection: "sel:\n    Image: 'C:\\Windows\\System32\\cmd.exe'\ncondition: sel",
    match: [img('C:\\Windows\\System32\\cmd.exe'), img('c:\\windows\\system32\\CMD.EXE')],
    noMatch: [img('C:\\Windows\\System32\\cmd.exe.bak'), img('D:\\Windows\\System32\\cmd.exe'), p1({ CommandLine: 'x' })],
  },
  {
    name: 'contains',
    detection: "sel:\n    CommandLine|contains: 'whoami'\ncondition: sel",
    match: [cmd('cmd /c WHOAMI /all'), cmd('whoami')],
    noMatch: [cmd('who ami'), img('C:\\whoami.exe')],
  },
  {
    name: 'startswith',
    detection: "sel:\n    CommandLine|startswith: 'net '\ncondition: sel",
    match: [cmd('NET user'), cmd('net ')],
    noMatch: [cmd(' net user'), cmd('netsh')],
  },
  {
    name: 'endswith',
    detection: "sel:\n    Image|endswith: '\\wsmprovhost.exe'\ncondition: sel",
    match: [img('C:\\Windows\\System32\\wsmprovhost.exe'), img('C:\\X\\WSMPROVHOST.EXE')],
    noMatch: [img('C:\\Windows\\System32\\wsmprovhost.exe.mui'), img('wsmprovhost.exe')],
  },
  {
    name: 'value list is OR',
    detection: "sel:\n    Image|endswith:\n        - '\\cmd.exe'\n        - '\\powershell.exe'\ncondition: sel",
    match: [img('C:\\cmd.exe'), img('C:\\powershell.exe')],
    noMatch: [img('C:\\pwsh.exe')],
  },
  {
    name: 'contains|all is AND',
    detection: "sel:\n    CommandLine|contains|all:\n        - 'reg'\n        - 'save'\n        - 'hklm\\sam'\ncondition: sel",
    match: [cmd('reg.exe save HKLM\\SAM c:\\t\\sam')],
    noMatch: [cmd('reg.exe save HKLM\\SYSTEM c:\\t\\sys'), cmd('reg query hklm\\sam')],
  },
  {
    name: 'map is AND across fields',
    detection: "sel:\n    ParentImage|endswith: '\\WmiPrvSE.exe'\n    Image|endswith: '\\cmd.exe'\ncondition: sel",
    match: [p1({ ParentImage: 'C:\\Windows\\System32\\wbem\\WmiPrvSE.exe', Image: 'C:\\Windows\\System32\\cmd.exe' })],
    noMatch: [p1({ ParentImage: 'C:\\Windows\\explorer.exe', Image: 'C:\\Windows\\System32\\cmd.exe' }), p1({ ParentImage: 'C:\\Windows\\System32\\wbem\\WmiPrvSE.exe', Image: 'C:\\x.exe' })],
  },
  {
    name: 'list of maps is OR',
    detection: "sel:\n    - Image|endswith: '\\a.exe'\n    - CommandLine|contains: 'b-flag'\ncondition: sel",
    match: [img('C:\\a.exe'), cmd('x b-flag')],
    noMatch: [img('C:\\b.exe')],
  },
  {
    name: 'wildcards * and ? in plain values',
    // `\\*` is a backslash then a wildcard; `\*` would be a literal star (see the next cases).
    detection: "sel:\n    Image: 'C:\\Users\\\\*\\AppData\\\\??mp\\\\*.exe'\ncondition: sel",
    match: [img('C:\\Users\\bob\\AppData\\Temp\\x.exe'), img('c:\\users\\a\\appdata\\tEmp\\.exe')],
    noMatch: [img('C:\\Users\\bob\\AppData\\Tmp\\x.exe'), img('C:\\Users\\bob\\AppData\\Temp\\x.dll')],
  },
  {
    name: 'a single backslash before * or ? escapes it (C:\\Windows\\* is the literal text C:\\Windows*)',
    detection: "sel:\n    Image: 'C:\\Windows\\*'\ncondition: sel",
    match: [img('C:\\Windows*')],
    noMatch: [img('C:\\Windows\\System32\\cmd.exe'), img('C:\\Windows\\*')],
  },
  {
    name: 'escaped wildcard \\* is a literal star (and consumes the backslash)',
    detection: "sel:\n    CommandLine: 'echo \\*'\ncondition: sel",
    match: [cmd('echo *')],
    noMatch: [cmd('echo \\*'), cmd('echo x')],
  },
  {
    name: 'double backslash before a star: literal backslash then wildcard',
    detection: "sel:\n    Image: 'C:\\Windows\\\\*'\ncondition: sel",
    match: [img('C:\\Windows\\System32\\cmd.exe')],
    noMatch: [img('C:\\Windows*'), img('C:\\WindowsX')],
  },
  {
    name: 'escaped star next to a wildcard',
    detection: "sel:\n    CommandLine|contains: 'a\\*b'\ncondition: sel",
    match: [cmd('x a*b y')],
    noMatch: [cmd('x aXb y'), cmd('x a\\*b y')],
  },
  {
    name: 'backslash before another character stays',
    detection: "sel:\n    Image: 'C:\\Windows\\explorer.exe'\ncondition: sel",
    match: [img('C:\\Windows\\explorer.exe')],
    noMatch: [img('C:Windowsexplorer.exe')],
  },
  {
    name: 'cased',
    detection: "sel:\n    CommandLine|cased: 'Invoke-Mimikatz'\ncondition: sel",
    match: [cmd('Invoke-Mimikatz')],
    noMatch: [cmd('invoke-mimikatz')],
  },
  {
    name: 'cased with contains',
    detection: "sel:\n    CommandLine|contains|cased: 'DumpCreds'\ncondition: sel",
    match: [cmd('x -DumpCreds')],
    noMatch: [cmd('x -dumpcreds')],
  },
  {
    name: 'base64',
    detection: "sel:\n    CommandLine|base64|contains: 'http://'\ncondition: sel",
    match: [cmd(`powershell -e ${b64('http://')}`)],
    noMatch: [cmd('powershell http://'), cmd(`x ${b64('https://')}`)],
  },
  {
    name: 'base64offset|contains: all three alignments',
    detection: "sel:\n    CommandLine|base64offset|contains: 'IEX'\ncondition: sel",
    match: [cmd(b64('IEX (New-Object)')), cmd(b64('aIEX (x)')), cmd(b64('abIEX (x)'))],
    noMatch: [cmd(b64('iex (x)')), cmd('IEX')],
  },
  {
    name: 'wide|base64offset|contains (PowerShell -EncodedCommand)',
    detection: "sel:\n    CommandLine|wide|base64offset|contains: 'Invoke-'\ncondition: sel",
    match: [cmd(`powershell -enc ${b64('Invoke-Expression', 'utf16le')}`), cmd(`powershell -enc ${b64('$x;Invoke-Expression', 'utf16le')}`), cmd(`powershell -enc ${b64('$x2;Invoke-Expression', 'utf16le')}`)],
    noMatch: [cmd(`powershell -enc ${b64('Invoke-Expression')}`)],
  },
  {
    name: 'utf16le|base64offset|contains (utf16le is wide)',
    detection: "sel:\n    CommandLine|utf16le|base64offset|contains: 'Invoke-'\ncondition: sel",
    match: [cmd(`powershell -enc ${b64('Invoke-Expression', 'utf16le')}`)],
    noMatch: [cmd(b64('Invoke-Expression'))],
  },
  {
    name: 'utf16be|base64|contains',
    detection: "sel:\n    CommandLine|utf16be|base64|contains: 'abc'\ncondition: sel",
    match: [cmd(Buffer.from('\u6100\u6200\u6300', 'utf16le').toString('base64'))],
    noMatch: [cmd(b64('abc', 'utf16le'))],
  },
  {
    name: 'utf16 (BOM + little endian)|base64',
    detection: "sel:\n    CommandLine|utf16|base64: 'ab'\ncondition: sel",
    match: [cmd(Buffer.from([0xff, 0xfe, 0x61, 0, 0x62, 0]).toString('base64'))],
    noMatch: [cmd(b64('ab', 'utf16le'))],
  },
  {
    name: 'windash: -, /, en dash, em dash, horizontal bar',
    detection: "sel:\n    CommandLine|windash|contains: ' -urlcache '\ncondition: sel",
    match: [cmd('certutil -urlcache -f'), cmd('certutil /urlcache -f'), cmd('certutil \u2013urlcache -f'), cmd('certutil \u2014urlcache -f'), cmd('certutil \u2015urlcache -f')],
    noMatch: [cmd('certutil urlcache'), cmd('certutil _urlcache ')],
  },
  {
    name: 're: unanchored search, case-sensitive',
    detection: "sel:\n    CommandLine|re: 'net\\s+user\\s+\\w+\\s+/add'\ncondition: sel",
    match: [cmd('cmd /c net  user bob /add && x')],
    noMatch: [cmd('cmd /c NET user bob /add'), cmd('net user /add')],
  },
  {
    name: 're|i',
    detection: "sel:\n    CommandLine|re|i: '^net user'\ncondition: sel",
    match: [cmd('NET USER x')],
    noMatch: [cmd('x net user')],
  },
  {
    name: 're with a leading (?i) group',
    detection: "sel:\n    CommandLine|re: '(?i)mimikatz'\ncondition: sel",
    match: [cmd('x MimiKatz y')],
    noMatch: [cmd('mimi katz')],
  },
  {
    name: 're: . does not match a newline unless |s',
    detection: "sel:\n    ScriptBlockText|re: 'a.b'\ncondition: sel",
    logsource: 'category: ps_script\n    product: windows',
    match: [win4104('xa-by')],
    noMatch: [win4104('a\nb')],
  },
  {
    name: 're|s: . matches a newline',
    detection: "sel:\n    ScriptBlockText|re|s: 'a.b'\ncondition: sel",
    logsource: 'category: ps_script\n    product: windows',
    match: [win4104('a\nb')],
    noMatch: [win4104('ab')],
  },
  {
    name: 're|m: ^ and $ at line boundaries',
    detection: "sel:\n    ScriptBlockText|re|m: '^Invoke-X$'\ncondition: sel",
    logsource: 'category: ps_script\n    product: windows',
    match: [win4104('$a = 1\nInvoke-X\n$b')],
    noMatch: [win4104('$a = 1 Invoke-X')],
  },
  {
    name: 're: without m, ^ anchors at the start only',
    detection: "sel:\n    ScriptBlockText|re: '^Invoke-X'\ncondition: sel",
    logsource: 'category: ps_script\n    product: windows',
    match: [win4104('Invoke-X 1')],
    noMatch: [win4104('$a\nInvoke-X')],
  },
  {
    name: 're: Python named groups',
    detection: "sel:\n    CommandLine|re: '(?P<d>[a-z])(?P=d)'\ncondition: sel",
    match: [cmd('xaab')],
    noMatch: [cmd('abab')],
  },
  {
    name: 'cidr (IPv4)',
    detection: "sel:\n    DestinationIp|cidr:\n        - '10.0.0.0/8'\n        - '192.168.0.0/16'\ncondition: sel",
    logsource: 'category: network_connection\n    product: windows',
    match: [sysmon(3, { DestinationIp: '10.1.2.3' }), sysmon(3, { DestinationIp: '192.168.200.1' })],
    noMatch: [sysmon(3, { DestinationIp: '11.0.0.1' }), sysmon(3, { DestinationIp: 'fe80::1' })],
  },
  {
    name: 'cidr (IPv6)',
    detection: "sel:\n    DestinationIp|cidr: 'fe80::/10'\ncondition: sel",
    logsource: 'category: network_connection\n    product: windows',
    match: [sysmon(3, { DestinationIp: 'fe80::1234' })],
    noMatch: [sysmon(3, { DestinationIp: '2001:db8::1' })],
  },
  {
    name: 'exists: true',
    detection: 'sel:\n    ParentCommandLine|exists: true\ncondition: sel',
    match: [p1({ ParentCommandLine: 'x' })],
    noMatch: [p1({ Image: 'x' })],
  },
  {
    name: 'exists: false',
    detection: 'sel:\n    ParentCommandLine|exists: false\ncondition: sel',
    match: [p1({ Image: 'x' })],
    noMatch: [p1({ ParentCommandLine: 'x' })],
  },
  {
    name: 'gt / lte (numeric, on text fields)',
    detection: 'sel:\n    DestinationPort|gt: 1024\n    SourcePort|lte: 80\ncondition: sel',
    logsource: 'category: network_connection\n    product: windows',
    match: [sysmon(3, { DestinationPort: '5985', SourcePort: '80' })],
    noMatch: [sysmon(3, { DestinationPort: '443', SourcePort: '80' }), sysmon(3, { DestinationPort: '5985', SourcePort: '81' }), sysmon(3, { DestinationPort: '1024', SourcePort: '1' })],
  },
  {
    name: 'gte / lt',
    detection: 'sel:\n    DestinationPort|gte: 1024\n    DestinationPort|lt: 2000\ncondition: sel',
    logsource: 'category: network_connection\n    product: windows',
    match: [sysmon(3, { DestinationPort: '1024' }), sysmon(3, { DestinationPort: '1999' })],
    noMatch: [sysmon(3, { DestinationPort: '2000' }), sysmon(3, { DestinationPort: '1023' }), sysmon(3, { DestinationPort: 'http' })],
  },
  {
    name: 'fieldref',
    detection: 'sel:\n    Image|fieldref: ParentImage\ncondition: sel',
    match: [p1({ Image: 'C:\\a.exe', ParentImage: 'c:\\A.EXE' })],
    noMatch: [p1({ Image: 'C:\\a.exe', ParentImage: 'C:\\b.exe' }), p1({ Image: 'C:\\a.exe' })],
  },
  {
    name: 'fieldref with contains',
    detection: 'sel:\n    CommandLine|fieldref|contains: ParentImage\ncondition: sel',
    match: [p1({ CommandLine: 'run C:\\a.exe now', ParentImage: 'C:\\a.exe' })],
    noMatch: [p1({ CommandLine: 'run C:\\b.exe now', ParentImage: 'C:\\a.exe' })],
  },
  {
    name: 'neq negates the item',
    detection: "sel:\n    Image|endswith: '.exe'\n    User|neq: 'NT AUTHORITY\\SYSTEM'\ncondition: sel",
    match: [img('C:\\a.exe', { User: 'CORP\\bob' })],
    noMatch: [img('C:\\a.exe', { User: 'nt authority\\system' })],
  },
  {
    name: 'numbers compare with Windows text',
    detection: 'sel:\n    EventID: 1\n    TerminalSessionId: 0\ncondition: sel',
    match: [p1({ TerminalSessionId: '0' })],
    noMatch: [p1({ TerminalSessionId: '1' })],
  },
  {
    name: 'unquoted hex keeps Windows rendering (0x3e7)',
    detection: 'sel:\n    LogonId: 0x3e7\ncondition: sel',
    match: [p1({ LogonId: '0x3e7' })],
    noMatch: [p1({ LogonId: '999' }), p1({ LogonId: '0x3e4' })],
  },
  {
    name: 'quoted hex (0x3e7)',
    detection: "sel:\n    LogonId: '0x3E7'\ncondition: sel",
    match: [p1({ LogonId: '0x3e7' })],
    noMatch: [p1({ LogonId: '0x3e4' })],
  },
  {
    name: 'booleans compare with Windows text',
    detection: 'sel:\n    Initiated: true\ncondition: sel',
    logsource: 'category: network_connection\n    product: windows',
    match: [sysmon(3, { Initiated: 'true' })],
    noMatch: [sysmon(3, { Initiated: 'false' })],
  },
  {
    name: 'keywords: a plain list searches the whole record, case-insensitive substring',
    detection: "keywords:\n    - 'mimikatz'\n    - 'sekurlsa'\ncondition: keywords",
    match: [cmd('x SEKURLSA::logonpasswords'), img('C:\\tools\\mimikatz.exe')],
    noMatch: [cmd('whoami')],
  },
  {
    name: 'keywords with |all',
    detection: "keywords:\n    '|all':\n        - 'sekurlsa'\n        - 'logonpasswords'\ncondition: keywords",
    match: [cmd('sekurlsa::logonpasswords')],
    noMatch: [cmd('sekurlsa::pth')],
  },
  {
    name: 'expand is unsupported without placeholder values (checked separately) — plain % is literal',
    detection: "sel:\n    CommandLine|contains: '%TEMP%'\ncondition: sel",
    match: [cmd('copy x %temp%\\y')],
    noMatch: [cmd('copy x C:\\Temp\\y')],
  },
];

function win4104(text: string): CanonicalEvent {
  return { winlog: { channel: 'Microsoft-Windows-PowerShell/Operational', event_id: '4104', event_data: { ScriptBlockText: text } } };
}

const CONDITIONS: Case[] = [
  {
    name: 'and / or / not with parentheses',
    detection: "a:\n    Image|endswith: '\\a.exe'\nb:\n    CommandLine|contains: 'x'\nc:\n    CommandLine|contains: 'y'\ncondition: a and (b or c) and not (b and c)",
    match: [p1({ Image: 'C:\\a.exe', CommandLine: 'x' }), p1({ Image: 'C:\\a.exe', CommandLine: 'y' })],
    noMatch: [p1({ Image: 'C:\\a.exe', CommandLine: 'xy' }), p1({ Image: 'C:\\a.exe', CommandLine: 'z' }), p1({ Image: 'C:\\b.exe', CommandLine: 'x' })],
  },
  {
    name: 'precedence: and binds tighter than or',
    detection: "a:\n    CommandLine|contains: 'a'\nb:\n    CommandLine|contains: 'b'\nc:\n    CommandLine|contains: 'c'\ncondition: a or b and c",
    match: [cmd('a'), cmd('bc')],
    noMatch: [cmd('b'), cmd('c')],
  },
  {
    name: 'not binds tighter than and',
    detection: "a:\n    CommandLine|contains: 'a'\nb:\n    CommandLine|contains: 'b'\ncondition: not a and b",
    match: [cmd('b')],
    noMatch: [cmd('ab'), cmd('a')],
  },
  {
    name: 'double not',
    detection: "a:\n    CommandLine|contains: 'a'\ncondition: not not a",
    match: [cmd('a')],
    noMatch: [cmd('b')],
  },
  {
    name: '1 of pattern*',
    detection: "sel_a:\n    CommandLine|contains: 'a'\nsel_b:\n    CommandLine|contains: 'b'\nother:\n    CommandLine|contains: 'c'\ncondition: 1 of sel_* and not other",
    match: [cmd('a'), cmd('b')],
    noMatch: [cmd('ac'), cmd('d')],
  },
  {
    name: 'any of is 1 of',
    detection: "sel_a:\n    CommandLine|contains: 'a'\nsel_b:\n    CommandLine|contains: 'b'\ncondition: any of sel_*",
    match: [cmd('b')],
    noMatch: [cmd('c')],
  },
  {
    name: 'all of pattern*',
    detection: "sel_a:\n    CommandLine|contains: 'a'\nsel_b:\n    CommandLine|contains: 'b'\ncondition: all of sel_*",
    match: [cmd('ab')],
    noMatch: [cmd('a'), cmd('b')],
  },
  {
    name: '1 of them',
    detection: "a:\n    CommandLine|contains: 'a'\nb:\n    CommandLine|contains: 'b'\ncondition: 1 of them",
    match: [cmd('a'), cmd('b')],
    noMatch: [cmd('c')],
  },
  {
    name: 'all of them skips identifiers starting with _',
    detection: "a:\n    CommandLine|contains: 'a'\nb:\n    CommandLine|contains: 'b'\n_helper:\n    CommandLine|contains: 'zzz'\ncondition: all of them",
    match: [cmd('ab')],
    noMatch: [cmd('a')],
  },
  {
    name: 'a pattern starting with _ includes _ identifiers',
    detection: "_x1:\n    CommandLine|contains: 'a'\n_x2:\n    CommandLine|contains: 'b'\ncondition: 1 of _x*",
    match: [cmd('b')],
    noMatch: [cmd('c')],
  },
  {
    name: 'not 1 of filter_*',
    detection: "sel:\n    Image|endswith: '.exe'\nfilter_a:\n    CommandLine|contains: 'a'\nfilter_b:\n    CommandLine|contains: 'b'\ncondition: sel and not 1 of filter_*",
    match: [p1({ Image: 'x.exe', CommandLine: 'c' })],
    noMatch: [p1({ Image: 'x.exe', CommandLine: 'b' })],
  },
  {
    name: 'condition list is OR',
    detection: "a:\n    CommandLine|contains: 'a'\nb:\n    CommandLine|contains: 'b'\ncondition:\n    - a\n    - b",
    match: [cmd('a'), cmd('b')],
    noMatch: [cmd('c')],
  },
];

const NULL_SEMANTICS: Case[] = [
  {
    name: 'null: the field is absent',
    detection: "sel:\n    Image|endswith: '.exe'\n    ParentCommandLine: null\ncondition: sel",
    match: [img('x.exe')],
    noMatch: [img('x.exe', { ParentCommandLine: 'a' })],
  },
  {
    name: "empty string: present and empty (events drop empty values, so absent counts)",
    detection: "sel:\n    Image|endswith: '.exe'\n    OriginalFileName: ''\ncondition: sel",
    match: [img('x.exe'), img('x.exe', { OriginalFileName: '' })],
    noMatch: [img('x.exe', { OriginalFileName: 'x.exe' })],
  },
  {
    name: 'empty list is a null test',
    detection: "sel:\n    Image|endswith: '.exe'\n    ParentCommandLine: []\ncondition: sel",
    match: [img('x.exe')],
    noMatch: [img('x.exe', { ParentCommandLine: 'a' })],
  },
  {
    name: 'null on a field the log source never carries does not match (4688 has no ParentCommandLine)',
    detection: "sel:\n    Image|endswith: '\\cmd.exe'\nfilter:\n    ParentCommandLine: null\ncondition: sel and not filter",
    match: [security(4688, { NewProcessName: 'C:\\Windows\\System32\\cmd.exe' }), p1({ Image: 'C:\\Windows\\System32\\cmd.exe', ParentCommandLine: 'explorer.exe' })],
    noMatch: [p1({ Image: 'C:\\Windows\\System32\\cmd.exe' })],
  },
  {
    name: 'an exclusion on a field the log source lacks neither matches nor excludes: the selection decides',
    detection: "sel:\n    Image|endswith: '\\cmd.exe'\nfilter:\n    OriginalFileName: 'Cmd.Exe'\ncondition: sel and not filter",
    match: [security(4688, { NewProcessName: 'C:\\Windows\\System32\\cmd.exe' })],
    noMatch: [security(4688, { NewProcessName: 'C:\\Windows\\System32\\notepad.exe' }), security(4624, { NewProcessName: 'C:\\Windows\\System32\\cmd.exe' }), p1({ Image: 'C:\\Windows\\System32\\cmd.exe', OriginalFileName: 'Cmd.Exe' })],
  },
  {
    name: 'a negated-only condition never reaches events of other log sources',
    detection: "filter:\n    Image|endswith: '\\cmd.exe'\ncondition: not filter",
    match: [img('C:\\a.exe'), security(4688, { NewProcessName: 'C:\\a.exe' })],
    noMatch: [sysmon(3, { Image: 'C:\\a.exe' }), security(4624, {}), img('C:\\cmd.exe')],
  },
];

const LOGSOURCE: Case[] = [
  {
    name: 'process_creation: Sysmon 1 and Security 4688 with its own names',
    detection: "sel:\n    ParentImage|endswith: '\\WmiPrvSE.exe'\n    Image|endswith: '\\powershell.exe'\ncondition: sel",
    match: [
      p1({ ParentImage: 'C:\\Windows\\System32\\wbem\\WmiPrvSE.exe', Image: 'C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe' }),
      security(4688, { ParentProcessName: 'C:\\Windows\\System32\\wbem\\WmiPrvSE.exe', NewProcessName: 'C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe' }),
    ],
    noMatch: [
      sysmon(5, { ParentImage: 'C:\\Windows\\System32\\wbem\\WmiPrvSE.exe', Image: 'C:\\powershell.exe' }),
      security(4689, { ParentProcessName: 'C:\\WmiPrvSE.exe', NewProcessName: 'C:\\powershell.exe' }),
    ],
  },
  {
    name: '4688: LogonId is SubjectLogonId, in the same hex rendering',
    detection: "sel:\n    Image|endswith: '.exe'\nfilter:\n    LogonId: '0x3e7'\ncondition: sel and not filter",
    match: [security(4688, { NewProcessName: 'a.exe', SubjectLogonId: '0x1a2b3' })],
    noMatch: [security(4688, { NewProcessName: 'a.exe', SubjectLogonId: '0x3e7' }), p1({ Image: 'a.exe', LogonId: '0x3e7' })],
  },
  {
    name: "4688: LogonId is the new process's logon: TargetLogonId unless it is 0x0",
    detection: "sel:\n    ParentImage|endswith: '\\WmiPrvSE.exe'\nfilter:\n    LogonId: '0x3e4'\ncondition: sel and not filter",
    match: [
      security(4688, { ParentProcessName: 'C:\\Windows\\System32\\wbem\\WmiPrvSE.exe', SubjectLogonId: '0x3e4', TargetLogonId: '0x32c5cb5' }),
      p1({ ParentImage: 'C:\\Windows\\System32\\wbem\\WmiPrvSE.exe', LogonId: '0x32c5cb5' }),
    ],
    noMatch: [
      security(4688, { ParentProcessName: 'C:\\Windows\\System32\\wbem\\WmiPrvSE.exe', SubjectLogonId: '0x3e4', TargetLogonId: '0x0' }),
      security(4688, { ParentProcessName: 'C:\\Windows\\System32\\wbem\\WmiPrvSE.exe', SubjectLogonId: '0x3e7', TargetLogonId: '0x3e4' }),
      p1({ ParentImage: 'C:\\Windows\\System32\\wbem\\WmiPrvSE.exe', LogonId: '0x3e4' }),
    ],
  },
  {
    name: "4688: User is the new process's account (Target names when TargetLogonId is set)",
    detection: "sel:\n    User|endswith: '\\pgustavo'\ncondition: sel",
    match: [security(4688, { SubjectDomainName: 'THESHIRE', SubjectUserName: 'WORKSTATION6$', TargetLogonId: '0x32c5cb5', TargetDomainName: 'THESHIRE', TargetUserName: 'pgustavo' })],
    noMatch: [security(4688, { SubjectDomainName: 'THESHIRE', SubjectUserName: 'WORKSTATION6$', TargetLogonId: '0x0', TargetDomainName: 'THESHIRE', TargetUserName: 'pgustavo' })],
  },
  {
    name: '4688: ProcessId is NewProcessId in hex',
    detection: 'sel:\n    ProcessId: 6700\ncondition: sel',
    match: [security(4688, { NewProcessId: '0x1a2c' }), p1({ ProcessId: '6700' })],
    noMatch: [security(4688, { NewProcessId: '0x1a2d' })],
  },
  {
    name: '4688: IntegrityLevel names become mandatory label SIDs',
    detection: "sel:\n    IntegrityLevel: 'System'\ncondition: sel",
    match: [security(4688, { MandatoryLabel: 'S-1-16-16384' }), p1({ IntegrityLevel: 'System' })],
    noMatch: [security(4688, { MandatoryLabel: 'S-1-16-12288' })],
  },
  {
    name: '4688: User is SubjectDomainName\\SubjectUserName',
    detection: "sel:\n    User|contains: 'AUTHORI'\ncondition: sel",
    match: [security(4688, { SubjectDomainName: 'NT AUTHORITY', SubjectUserName: 'SYSTEM' }), p1({ User: 'NT AUTHORITY\\SYSTEM' })],
    noMatch: [security(4688, { SubjectDomainName: 'CORP', SubjectUserName: 'bob' })],
  },
  {
    name: 'registry_add: Sysmon 12 with EventType CreateKey only',
    detection: "sel:\n    TargetObject|contains: '\\Run'\ncondition: sel",
    logsource: 'category: registry_add\n    product: windows',
    match: [sysmon(12, { EventType: 'CreateKey', TargetObject: 'HKLM\\Software\\Microsoft\\Windows\\CurrentVersion\\Run' })],
    noMatch: [sysmon(12, { EventType: 'DeleteKey', TargetObject: 'HKLM\\x\\Run' }), sysmon(13, { EventType: 'SetValue', TargetObject: 'HKLM\\x\\Run' })],
  },
  {
    name: 'service: security, EventID in the detection',
    detection: "sel:\n    EventID: 4624\n    LogonType: 3\ncondition: sel",
    logsource: 'service: security\n    product: windows',
    match: [security(4624, { LogonType: '3' })],
    noMatch: [security(4624, { LogonType: '2' }), sysmon(1, { LogonType: '3' })],
  },
  {
    name: 'service: sysmon with EventID',
    detection: 'sel:\n    EventID: 255\ncondition: sel',
    logsource: 'service: sysmon\n    product: windows',
    match: [sysmon(255, { ID: 'x' })],
    noMatch: [security(255, {})],
  },
  {
    name: 'ps_script: PowerShell 4104 on the operational channel',
    detection: "sel:\n    ScriptBlockText|contains: 'Invoke-Mimikatz'\ncondition: sel",
    logsource: 'category: ps_script\n    product: windows',
    match: [win4104('Invoke-Mimikatz -DumpCreds')],
    noMatch: [{ winlog: { channel: 'Microsoft-Windows-PowerShell/Operational', event_id: '4103', event_data: { ScriptBlockText: 'Invoke-Mimikatz' } } }],
  },
  {
    name: 'System fields: Provider_Name, Channel, Computer',
    detection: "sel:\n    Provider_Name: 'Microsoft-Windows-Sysmon'\n    Computer: 'host1'\ncondition: sel",
    match: [img('a.exe')],
    noMatch: [{ winlog: { channel: 'Microsoft-Windows-Sysmon/Operational', event_id: '1', provider_name: 'Other', computer_name: 'HOST1' } }],
  },
];

for (const [group, cases] of [['modifiers', MODIFIERS], ['conditions', CONDITIONS], ['missing, empty, null', NULL_SEMANTICS], ['logsource', LOGSOURCE]] as const) {
  t.test(group, async (t) => {
    for (const c of cases) {
      const text = rule(c.detection, c.logsource);
      t.test(c.name, async (t) => {
        c.match.forEach((doc, i) => t.ok(hits(text, doc), `matches positive event ${i + 1}: ${JSON.stringify(doc)}`));
        c.noMatch.forEach((doc, i) => t.notOk(hits(text, doc), `does not match negative event ${i + 1}: ${JSON.stringify(doc)}`));
      });
    }
  });
}
