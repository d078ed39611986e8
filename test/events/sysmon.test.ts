import t, { type Test } from 'tap';
import { getField } from '../../src/events/fields.js';
import { normalizeSysmon, parseQueryResults, parseSysmonHashes, registryData } from '../../src/events/normalize/sysmon.js';
import { communityId } from '../../src/events/normalize/community-id.js';
import type { CanonicalEvent, WindowsRecord } from '../../src/events/types.js';
import { sampleEvent } from './helpers.js';

const f = (doc: CanonicalEvent, path: string) => getField(doc, path);

/** Assert many fields at once, each as its own assertion named by the field. */
function fields(t: Test, doc: CanonicalEvent, expected: Record<string, unknown>): void {
  for (const [path, value] of Object.entries(expected)) {
    if (value === undefined) t.equal(f(doc, path), undefined, `${path} absent`);
    else t.same(f(doc, path), value, path);
  }
}

t.test('every Sysmon event: common fields', async (t) => {
  const doc = sampleEvent('eid3_system_5985');
  fields(t, doc, {
    '@timestamp': '2020-09-20T21:09:08.008Z', // UtcTime, not EventTime nor the collector time
    'event.created': '2020-09-20T21:09:10.000Z', // EventTime 17:09:10 at UTC-4
    'event.kind': 'event',
    'event.code': '3',
    'event.module': 'sysmon',
    'event.provider': 'Microsoft-Windows-Sysmon',
    'event.dataset': 'windows.sysmon_operational',
    'data_stream.dataset': 'windows.sysmon_operational',
    'host.name': 'workstation6',
    'host.hostname': 'workstation6',
    'host.id': 'workstation6',
    'host.os.type': 'windows',
    'winlog.channel': 'Microsoft-Windows-Sysmon/Operational',
    'winlog.event_id': '3',
    'winlog.computer_name': 'WORKSTATION6.theshire.local',
    'winlog.provider_name': 'Microsoft-Windows-Sysmon',
    'winlog.provider_guid': '{5770385F-C22A-43E0-BF4C-06F5698FFBD9}',
    'winlog.record_id': '3092506',
    'winlog.user.identifier': 'S-1-5-18',
    'user.id': 'S-1-5-18',
    'winlog.event_data.Image': 'System',
    'winlog.event_data.Initiated': 'false',
    'winlog.event_data.UtcTime': '2020-09-20 21:09:08.008',
    // "-" values are dropped, from event_data and from ECS
    'winlog.event_data.SourceHostname': undefined,
    'winlog.event_data.DestinationPortName': undefined,
    'winlog.event_data.RuleName': undefined,
    'rule.name': undefined,
    'source.domain': undefined,
    'network.protocol': undefined,
    // NXLog metadata is not event data
    'winlog.event_data.EventTime': undefined,
    'winlog.event_data.Hostname': undefined,
    'winlog.event_data.tags': undefined,
  });
});

t.test('EID 1 process creation: process, parent, args, pe, hashes, user', async (t) => {
  const doc = sampleEvent('eid1_powershell_child');
  fields(t, doc, {
    '@timestamp': '2020-09-20T21:09:11.252Z',
    'event.category': ['process'],
    'event.type': ['start'],
    'event.action': 'Process creation',
    'process.executable': 'C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe',
    'process.name': 'powershell.exe',
    'process.entity_id': '{D273D0F0-C4F7-5F67-A707-000000000800}',
    'process.parent.executable': 'C:\\Windows\\System32\\wsmprovhost.exe',
    'process.parent.name': 'wsmprovhost.exe',
    'process.parent.command_line': 'C:\\windows\\system32\\wsmprovhost.exe -Embedding',
    'process.parent.args': ['C:\\windows\\system32\\wsmprovhost.exe', '-Embedding'],
    'process.parent.args_count': 2,
    'process.parent.entity_id': '{D273D0F0-C4F4-5F67-A607-000000000800}',
    'process.args_count': 7,
    'process.pe.original_file_name': 'PowerShell.EXE',
    'process.pe.company': 'Microsoft Corporation',
    'user.domain': 'THESHIRE',
    'user.name': 'pgustavo',
    'related.user': ['pgustavo'],
    'winlog.event_data.IntegrityLevel': 'High',
    'winlog.event_data.User': 'THESHIRE\\pgustavo',
    'host.id': 'workstation6',
  });
  const args = f(doc, 'process.args') as string[];
  t.same(args.slice(0, 6), ['C:\\windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe', '-noP', '-sta', '-w', '1', '-enc']);
  t.ok((f(doc, 'process.command_line') as string).startsWith('"C:\\windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe" -noP'));
  t.match(f(doc, 'process.hash.sha256'), /^[0-9a-f]{64}$/, 'sha256 lower case');
  t.match(f(doc, 'process.hash.md5'), /^[0-9a-f]{32}$/);
  t.match(f(doc, 'process.hash.sha1'), /^[0-9a-f]{40}$/);
  t.match(f(doc, 'process.pe.imphash'), /^[0-9a-f]{32}$/, 'IMPHASH goes to pe.imphash');
  t.equal(f(doc, 'process.hash.imphash'), undefined);
  t.equal((f(doc, 'related.hash') as string[]).length, 4);
});

t.test('EID 1 with a quoted executable path and its pid', async (t) => {
  const doc = sampleEvent('eid1_quoted_args');
  fields(t, doc, {
    'process.pid': 6168,
    'process.parent.pid': 896,
    'process.name': 'HxTsr.exe',
    'process.args': [
      'C:\\Program Files\\WindowsApps\\microsoft.windowscommunicationsapps_16005.11029.20108.0_x64__8wekyb3d8bbwe\\HxTsr.exe',
      '-ServerName:Hx.IPC.Server',
    ],
    'process.args_count': 2,
    'process.working_directory': 'C:\\Program Files\\WindowsApps\\microsoft.windowscommunicationsapps_16005.11029.20108.0_x64__8wekyb3d8bbwe\\',
    'process.pe.description': 'Microsoft Outlook Communications',
    'process.pe.product': 'Microsoft Office',
    'process.pe.file_version': '16.0.11029.20104',
    'process.hash.md5': '1a89ab98eb679ddb21768f230221bc3c',
    'user.domain': 'THESHIRE',
    'user.name': 'sbeavers',
  });
});

t.test('EID 1 from the 2019 capture: ProcessId recovered from Message, NXLog ProcessID ignored', async (t) => {
  const doc = sampleEvent('eid1_2019_message_pid');
  t.type(f(doc, 'process.pid'), 'number');
  t.not(f(doc, 'process.pid'), f(doc, 'winlog.process.pid'), 'process.pid is the new process, not the Sysmon service');
  t.equal(f(doc, 'process.parent.name'), 'wsmprovhost.exe');
  t.equal(f(doc, 'process.name'), 'powershell.exe');
  t.equal(f(doc, 'host.id'), 'hr001');
  t.equal(f(doc, '@timestamp'), '2019-12-05T01:50:07.473Z');
});

t.test('EID 3 incoming WinRM by System (PID 4): direction, ports, no process.name', async (t) => {
  const doc = sampleEvent('eid3_2020_08_pid4');
  fields(t, doc, {
    'event.category': ['network'],
    'event.type': ['start', 'connection', 'protocol'],
    'event.action': 'Network connection',
    'network.direction': 'ingress',
    'network.transport': 'tcp',
    'network.type': 'ipv4',
    'network.protocol': undefined, // Sysmon names no service for 5985
    'source.ip': '172.18.39.5',
    'source.port': 57967,
    'destination.ip': '172.18.39.6',
    'destination.port': 5985,
    'process.pid': 4,
    'process.executable': 'System',
    'process.name': undefined,
    'user.domain': 'NT AUTHORITY',
    'user.name': 'SYSTEM',
    'related.ip': ['172.18.39.5', '172.18.39.6'],
  });
  t.match(f(doc, 'network.community_id'), /^1:[A-Za-z0-9+/]{27}=$/);
});

t.test('EID 3 outgoing with port names and host names (2019 schema)', async (t) => {
  const doc = sampleEvent('eid3_2019_hostname');
  fields(t, doc, {
    'network.direction': 'egress',
    'network.protocol': 'epmap', // from DestinationPortName, as Elastic does
    'source.domain': 'IT001.shire.com',
    'destination.domain': 'ip-172-18-39-5.ec2.internal',
    'destination.port': 135,
    'process.name': 'lsass.exe',
  });
});

t.test('EID 3 over IPv6: addresses kept as written, network.type ipv6', async (t) => {
  const doc = sampleEvent('eid3_ipv6');
  fields(t, doc, {
    'source.ip': '0:0:0:0:0:0:0:1',
    'destination.ip': '0:0:0:0:0:0:0:1',
    'destination.port': 389,
    'network.type': 'ipv6',
    'network.direction': 'egress',
  });
});

t.test('EID 5 process terminated', async (t) => {
  fields(t, sampleEvent('eid5'), {
    'event.category': ['process'],
    'event.type': ['end'],
    'event.action': 'Process terminated',
    'process.name': 'taskhostw.exe',
    'process.pid': 7540,
    'process.entity_id': '{49A15388-281E-5F2C-4205-000000000400}',
    '@timestamp': '2020-08-06T15:56:14.742Z',
  });
});

t.test('EID 7 image loaded: file.*, file.pe, file.hash, code signature', async (t) => {
  fields(t, sampleEvent('eid7'), {
    'event.category': ['process'],
    'event.type': ['change'],
    'event.action': 'Image loaded',
    'file.path': 'C:\\Windows\\System32\\taskhostw.exe',
    'file.name': 'taskhostw.exe',
    'file.directory': 'C:\\Windows\\System32',
    'file.extension': 'exe',
    'file.pe.original_file_name': 'taskhostw.exe',
    'file.pe.company': 'Microsoft Corporation',
    'file.pe.imphash': '9cb27caed52cb0affb32788922a0d083',
    'file.hash.md5': '8ac325c757fa721b272ecea19ebcf745',
    'file.code_signature.subject_name': 'Microsoft Windows',
    'file.code_signature.status': 'Valid',
    'file.code_signature.valid': true,
    'process.pe': undefined, // EID 7 puts PE data on the file
    'process.hash': undefined,
    'process.name': 'taskhostw.exe',
  });
});

t.test('EID 8 CreateRemoteThread (constructed record: no EID 8 in the captures)', async (t) => {
  const record: WindowsRecord = {
    provider: 'Microsoft-Windows-Sysmon',
    eventId: 8,
    channel: 'Microsoft-Windows-Sysmon/Operational',
    computer: 'WORKSTATION6.theshire.local',
    eventData: {
      RuleName: '-',
      UtcTime: '2020-09-20 21:10:00.123',
      SourceProcessGuid: '{D273D0F0-C4F7-5F67-A707-000000000800}',
      SourceProcessId: '4120',
      SourceImage: 'C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe',
      TargetProcessGuid: '{D273D0F0-E84D-5F64-0C00-000000000800}',
      TargetProcessId: '652',
      TargetImage: 'C:\\Windows\\System32\\lsass.exe',
      NewThreadId: '5008',
      StartAddress: '0x00007FF6A1B21000',
      StartModule: '-',
      StartFunction: '-',
    },
  };
  fields(t, normalizeSysmon(record), {
    'event.category': ['process'],
    'event.type': ['change'],
    'event.action': 'CreateRemoteThread',
    'process.entity_id': '{D273D0F0-C4F7-5F67-A707-000000000800}',
    'process.pid': 4120,
    'process.executable': 'C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe',
    'process.name': 'powershell.exe',
    'winlog.event_data.TargetImage': 'C:\\Windows\\System32\\lsass.exe',
    'winlog.event_data.TargetProcessGUID': '{D273D0F0-E84D-5F64-0C00-000000000800}',
    'winlog.event_data.StartModule': undefined,
    '@timestamp': '2020-09-20T21:10:00.123Z',
  });
});

t.test('EID 10 process access: source process as process.*, thread id, target stays raw', async (t) => {
  fields(t, sampleEvent('eid10'), {
    'event.category': ['process'],
    'event.type': ['access'],
    'event.action': 'ProcessAccess',
    'process.entity_id': '{9F85CE58-59DC-5F2B-0E00-000000000400}',
    'process.pid': 940,
    'process.thread.id': 1420,
    'process.executable': 'C:\\windows\\system32\\svchost.exe',
    'process.name': 'svchost.exe',
    'winlog.event_data.GrantedAccess': '0x1000',
    'winlog.event_data.TargetImage': 'C:\\windows\\system32\\svchost.exe',
    'winlog.event_data.TargetProcessGUID': '{9F85CE58-62B5-5F2B-7803-000000000400}',
    'host.id': 'mordordc',
  });
});

t.test('EID 11 file create', async (t) => {
  fields(t, sampleEvent('eid11'), {
    'event.category': ['file'],
    'event.type': ['creation'],
    'event.action': 'FileCreate',
    'file.path': 'C:\\Windows\\Prefetch\\Layout.ini',
    'file.name': 'Layout.ini',
    'file.directory': 'C:\\Windows\\Prefetch',
    'file.extension': 'ini',
    'process.name': 'svchost.exe',
    'winlog.event_data.CreationUtcTime': '2020-08-06 01:36:54.476',
  });
});

t.test('EID 12 registry create/delete', async (t) => {
  fields(t, sampleEvent('eid12'), {
    'event.category': ['configuration', 'registry'],
    'event.type': ['change'],
    'event.action': 'RegistryEvent (Object create and delete)',
    'registry.path': 'HKLM\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Internet Settings\\Connections',
    'registry.hive': 'HKLM',
    'registry.key': 'SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Internet Settings\\Connections',
    'registry.value': 'Connections',
    'registry.data': undefined,
  });
});

t.test('EID 13 registry value set: DWORD decoded, strings as REG_SZ', async (t) => {
  fields(t, sampleEvent('eid13_dword'), {
    'event.action': 'RegistryEvent (Value Set)',
    'registry.hive': 'HKLM',
    'registry.value': 'SessionIdHigh',
    'registry.data.type': 'SZ_DWORD',
    'registry.data.strings': [String(0x01d66c0a)],
    'winlog.event_data.Details': 'DWORD (0x01d66c0a)',
  });
  const s = sampleEvent('eid13_string');
  t.equal(f(s, 'registry.data.type'), 'REG_SZ');
  t.same(f(s, 'registry.data.strings'), [f(s, 'winlog.event_data.Details')]);
});

t.test('EID 22 DNS query: question, answers, resolved IPs, status', async (t) => {
  fields(t, sampleEvent('eid22'), {
    'event.category': ['network'],
    'event.type': ['connection', 'protocol', 'info'],
    'event.action': 'DNSEvent (DNS query)',
    'network.protocol': 'dns',
    'dns.question.name': '_kerberos._tcp.Default-First-Site-Name._sites.dc._msdcs.theshire.local.',
    'dns.resolved_ip': ['172.18.38.5'],
    'dns.answers': [{ type: 'SRV' }, { type: 'A', data: '172.18.38.5' }],
    'sysmon.dns.status': 'SUCCESS',
    'related.ip': ['172.18.38.5'],
    'related.hosts': ['_kerberos._tcp.Default-First-Site-Name._sites.dc._msdcs.theshire.local.'],
    'process.name': 'lsass.exe',
  });
});

t.test('other event IDs: categorization table', async (t) => {
  fields(t, sampleEvent('eid9'), { 'event.type': ['access'], 'event.action': 'RawAccessRead' });
  t.ok(f(sampleEvent('eid9'), 'file.path'), 'EID 9 Device becomes file.path');
  fields(t, sampleEvent('eid17'), { 'event.category': ['file'], 'event.type': ['creation'], 'event.action': 'PipeEvent (Pipe Created)' });
  const pipe = sampleEvent('eid18');
  t.equal(f(pipe, 'file.name'), f(pipe, 'winlog.event_data.PipeName'), 'PipeName becomes file.name');
  fields(t, sampleEvent('eid23'), { 'event.category': ['file'], 'event.type': ['deletion'] });
  t.ok(f(sampleEvent('eid23'), 'file.path'));
});

t.test('helpers: hashes, registry data, DNS results, community id', async (t) => {
  t.same(parseSysmonHashes('SHA1=AB,MD5=00000000,IMPHASH=CD'), { sha1: 'ab', imphash: 'cd' }, 'all-zero hashes dropped, lower case');
  t.same(registryData('QWORD (0x00000001-0x00000002)'), { strings: [String((1 << 8) + 2)], type: 'SZ_QWORD' }, "Elastic's QWORD arithmetic");
  t.same(registryData('Binary Data'), { strings: ['Binary Data'], type: 'REG_BINARY' });
  t.same(parseQueryResults('type:  5 edge.example.net;::ffff:1.2.3.4;2001:db8::1;'), {
    answers: [{ type: 'CNAME', data: 'edge.example.net' }, { type: 'A', data: '1.2.3.4' }, { type: 'AAAA', data: '2001:db8::1' }],
    ips: ['1.2.3.4', '2001:db8::1'],
    hosts: ['edge.example.net'],
  });
  // Test vector from the Community ID specification.
  t.equal(communityId('128.232.110.120', '66.35.250.204', 34855, 80, 'tcp'), '1:LQU9qZlK+B5F3KDmev6m5PMibrg=');
  t.equal(communityId('66.35.250.204', '128.232.110.120', 80, 34855, 'tcp'), '1:LQU9qZlK+B5F3KDmev6m5PMibrg=', 'direction-independent');
  t.equal(communityId('1.2.3.4', undefined, 1, 2, 'tcp'), undefined);
});
