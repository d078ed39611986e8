import t, { type Test } from 'tap';
import { getField } from '../../src/events/fields.js';
import { normalizeWindowsRecord } from '../../src/events/normalize/index.js';
import { parsePowerShellContext } from '../../src/events/normalize/powershell.js';
import type { CanonicalEvent, WindowsRecord } from '../../src/events/types.js';
import { sampleEvent, sampleRecord } from './helpers.js';

function fields(t: Test, doc: CanonicalEvent, expected: Record<string, unknown>): void {
  for (const [path, value] of Object.entries(expected)) {
    if (value === undefined) t.equal(getField(doc, path), undefined, `${path} absent`);
    else t.same(getField(doc, path), value, path);
  }
}

t.test('Security 4624: logon fields, source, outcome, time from EventTime and the lab zone', async (t) => {
  fields(t, sampleEvent('sec4624'), {
    '@timestamp': '2020-08-06T15:56:10.000Z',
    'event.code': '4624',
    'event.category': ['authentication'],
    'event.type': ['start'],
    'event.action': 'logged-in',
    'event.outcome': 'success',
    'event.module': 'security',
    'data_stream.dataset': 'system.security',
    'winlog.channel': 'Security',
    'winlog.keywords': ['Audit Success'],
    'winlog.logon.type': 'Network',
    'winlog.logon.id': '0x149393c',
    'user.name': 'WEC$',
    'user.domain': 'THESHIRE.LOCAL',
    'user.id': 'S-1-5-21-1363495622-3806888128-621328882-1111',
    'source.ip': '172.18.38.6',
    'source.port': 60878,
    'source.domain': undefined,
    'process.executable': undefined,
    'host.id': 'mordordc',
    'host.os.type': 'windows',
    'winlog.event_data.LogonType': '3',
    'winlog.event_data.WorkstationName': undefined,
  });
});

t.test('Security 4624 from a lower-case channel and the 2019 lab', async (t) => {
  const doc = sampleEvent('sec4624_lowercase_channel');
  fields(t, doc, { 'winlog.channel': 'Security', 'event.action': 'logged-in', 'data_stream.dataset': 'system.security' });
  t.match(getField(doc, '@timestamp'), /^2019-12-05T0/, 'EventTime at UTC-5');
});

t.test('Security 4688: new process, parent, args, subject and target users', async (t) => {
  fields(t, sampleEvent('sec4688'), {
    'event.category': ['process'],
    'event.type': ['start'],
    'event.action': 'created-process',
    'process.pid': 0x1d74,
    'process.executable': 'C:\\Windows\\System32\\taskhostw.exe',
    'process.name': 'taskhostw.exe',
    'process.command_line': 'taskhostw.exe Install $(Arg0)',
    'process.args': ['taskhostw.exe', 'Install', '$(Arg0)'],
    'process.args_count': 3,
    'process.parent.pid': 0x4f8,
    'process.parent.executable': 'C:\\Windows\\System32\\svchost.exe',
    'process.parent.name': 'svchost.exe',
    'user.name': 'WORKSTATION6$',
    'user.domain': 'THESHIRE',
    'user.id': 'S-1-5-18',
    'user.effective.name': 'sbeavers',
    'user.effective.domain': 'THESHIRE',
    'winlog.logon.id': '0x3e7',
    'winlog.event_data.MandatoryLabel': 'S-1-16-8192',
  });
});

const securityRecord = (eventId: number, eventData: Record<string, string>): WindowsRecord => ({
  provider: 'Microsoft-Windows-Security-Auditing',
  eventId,
  channel: 'Security',
  computer: 'DC01.corp.example',
  timeCreated: '2021-03-04T05:06:07.890Z',
  keywords: eventId === 4625 ? '0x8010000000000000' : '0x8020000000000000',
  eventData,
});

t.test('Security 4625, 4689, 4697, 4698, 4720, 4732, 5140, 5156 (constructed records)', async (t) => {
  fields(t, normalizeWindowsRecord(securityRecord(4625, { TargetUserName: 'bob', TargetDomainName: 'CORP', LogonType: '10', Status: '0xc000006d', SubStatus: '0xc000006a', IpAddress: '10.0.0.5', IpPort: '0' })), {
    'event.action': 'logon-failed',
    'event.outcome': 'failure',
    'winlog.keywords': ['Audit Failure'],
    'winlog.logon.type': 'RemoteInteractive',
    'winlog.logon.failure.status': '0xc000006d',
    'winlog.logon.failure.sub_status': '0xc000006a',
    'user.name': 'bob',
    'source.ip': '10.0.0.5',
    'source.port': undefined,
    '@timestamp': '2021-03-04T05:06:07.890Z',
  });
  fields(t, normalizeWindowsRecord(securityRecord(4689, { ProcessId: '0x1f0', ProcessName: 'C:\\Windows\\System32\\cmd.exe', SubjectUserName: 'alice' })), {
    'event.type': ['end'],
    'process.pid': 0x1f0,
    'process.name': 'cmd.exe',
    'user.name': 'alice',
  });
  fields(t, normalizeWindowsRecord(securityRecord(4697, { ServiceName: 'evilsvc', ServiceFileName: 'C:\\x.exe', SubjectUserName: 'alice' })), {
    'event.category': ['iam', 'configuration'],
    'event.action': 'service-installed',
    'service.name': 'evilsvc',
  });
  fields(t, normalizeWindowsRecord(securityRecord(4698, { TaskName: '\\Updater', SubjectUserName: 'alice' })), {
    'event.type': ['creation', 'admin'],
    'event.action': 'scheduled-task-created',
    'winlog.event_data.TaskName': '\\Updater',
  });
  fields(t, normalizeWindowsRecord(securityRecord(4720, { TargetUserName: 'backdoor', TargetDomainName: 'CORP', TargetSid: 'S-1-5-21-1-2-3-1500', SubjectUserName: 'admin' })), {
    'event.type': ['user', 'creation'],
    'user.name': 'admin',
    'user.target.name': 'backdoor',
    'user.target.id': 'S-1-5-21-1-2-3-1500',
  });
  fields(t, normalizeWindowsRecord(securityRecord(4732, { TargetUserName: 'Administrators', TargetDomainName: 'Builtin', TargetSid: 'S-1-5-32-544', MemberSid: 'S-1-5-21-1-2-3-1500', MemberName: 'CN=Jane Doe,OU=Staff,DC=corp,DC=example', SubjectUserName: 'admin' })), {
    'event.action': 'added-member-to-group',
    'group.name': 'Administrators',
    'group.id': 'S-1-5-32-544',
    'user.name': 'admin',
    'user.target.name': 'Jane Doe',
  });
  fields(t, normalizeWindowsRecord(securityRecord(5140, { ShareName: '\\\\*\\ADMIN$', ShareLocalPath: '\\??\\C:\\Windows', RelativeTargetName: 'Temp\\x.exe', IpAddress: '10.0.0.9', IpPort: '50123' })), {
    'event.category': ['network', 'file'],
    'event.action': 'network-share-object-accessed',
    'source.ip': '10.0.0.9',
    'source.port': 50123,
    // Elastic keeps the relative target whole as the name and joins it to the share's local path
    'file.name': 'Temp\\x.exe',
    'file.directory': '\\??\\C:\\Windows',
    'file.path': '\\??\\C:\\Windows\\Temp\\x.exe',
    'file.target_path': '\\\\*\\ADMIN$\\Temp\\x.exe',
    'file.extension': 'exe',
  });
  fields(t, normalizeWindowsRecord(securityRecord(5156, { ProcessID: '4', Application: 'System', Direction: '%%14592', SourceAddress: '10.0.0.2', SourcePort: '5985', DestAddress: '10.0.0.9', DestPort: '50123', Protocol: '6' })), {
    // not in Elastic's table: no category, addresses only in event_data, so `network where` never sees it
    'event.category': undefined,
    'network.direction': undefined,
    'source.port': undefined,
    'destination.ip': undefined,
    'winlog.event_data.DestAddress': '10.0.0.9',
    'winlog.event_data.Direction': '%%14592',
  });
});

t.test('System 7045 service install', async (t) => {
  const doc = normalizeWindowsRecord({
    provider: 'Service Control Manager',
    eventId: 7045,
    channel: 'System',
    computer: 'WS1',
    timeCreated: '2021-03-04T05:06:07.000Z',
    eventData: { ServiceName: 'PSEXESVC', ImagePath: '%SystemRoot%\\PSEXESVC.exe', ServiceType: 'user mode service', StartType: 'demand start', AccountName: 'LocalSystem' },
  });
  fields(t, doc, { 'event.action': 'service-installed', 'service.name': 'PSEXESVC', 'file.path': '%SystemRoot%\\PSEXESVC.exe', 'data_stream.dataset': 'system.system', 'host.name': 'ws1' });
});

t.test('PowerShell 4103: context info parsed into process, powershell and user fields', async (t) => {
  fields(t, sampleEvent('ps4103'), {
    'event.category': ['process'],
    'event.type': ['info'],
    'event.module': 'powershell',
    'data_stream.dataset': 'windows.powershell_operational',
    'process.command_line': 'C:\\windows\\system32\\wsmprovhost.exe -Embedding',
    'process.executable': 'C:\\windows\\system32\\wsmprovhost.exe',
    'process.name': 'wsmprovhost.exe',
    'process.args': ['C:\\windows\\system32\\wsmprovhost.exe', '-Embedding'],
    'process.entity_id': '3a01e863-e5f7-4fe6-a55d-36e4078d77f9',
    'process.title': 'ServerRemoteHost',
    'powershell.engine.version': '5.1.18362.752',
    'powershell.runspace_id': 'c1c61e0c-fa39-457f-bb50-49692f950904',
    'powershell.pipeline_id': '1',
    'powershell.command.name': 'Get-Process',
    'powershell.command.type': 'Cmdlet',
    'powershell.id': 'Microsoft.PowerShell',
    'powershell.connected_user.name': 'pgustavo',
    'user.domain': 'THESHIRE',
    'user.name': 'pgustavo',
    'event.sequence': 16,
    'file.path': undefined,
  });
});

t.test('PowerShell 4104: script block', async (t) => {
  const r = sampleRecord('ps4104');
  const doc = normalizeWindowsRecord(r);
  fields(t, doc, {
    'event.action': 'Execute a Remote Command',
    'powershell.file.script_block_id': 'c226e5f5-f670-4078-bb51-11b6e0da8fc3',
    'powershell.sequence': 1,
    'powershell.total': 1,
  });
  t.ok((getField(doc, 'powershell.file.script_block_text') as string).startsWith('sv o (New-Object IO.MemoryStream)'));
});

t.test('Windows PowerShell 800 and 400: details parsed from the message; short host name joins', async (t) => {
  fields(t, sampleEvent('ps800'), {
    'event.code': '800',
    'event.action': 'Pipeline Execution Details',
    'data_stream.dataset': 'windows.powershell',
    'process.executable': 'C:\\Users\\pgustavo\\Desktop\\GruntHTTP.exe',
    'process.name': 'GruntHTTP.exe',
    'user.name': 'pgustavo',
    'powershell.runspace_id': 'c29fc763-8042-4723-b209-828e87421411',
    'event.sequence': 19,
  });
  fields(t, sampleEvent('ps400'), { 'event.type': ['start'], 'event.action': 'Engine Lifecycle', 'powershell.engine.new_state': 'Available' });
  const short = sampleEvent('ps800_shortname');
  t.equal(getField(short, 'winlog.computer_name'), 'WORKSTATION6');
  t.equal(getField(short, 'host.id'), 'workstation6', 'same host.id as WORKSTATION6.theshire.local');
});

t.test('parsePowerShellContext: both layouts', async (t) => {
  t.same(parsePowerShellContext('        Host Application = a.exe -x\r\n        Script Name = \r\n'), { HostApplication: 'a.exe -x', ScriptName: '' });
  t.same(parsePowerShellContext('Engine state changed.\r\n\r\nDetails: \r\n\tNewEngineState=Available\r\n\tHostApplication=b.exe -y=1\r\n'), {
    NewEngineState: 'Available',
    HostApplication: 'b.exe -y=1',
  });
});

t.test('other channels: generic fields only', async (t) => {
  const doc = normalizeWindowsRecord({
    provider: 'Microsoft-Windows-TaskScheduler',
    eventId: 106,
    channel: 'Microsoft-Windows-TaskScheduler/Operational',
    computer: 'WS1.corp.example',
    timeCreated: '2021-03-04T05:06:07.000Z',
    recordId: 9,
    eventData: { TaskName: '\\x', UserContext: '-' },
  });
  fields(t, doc, {
    '@timestamp': '2021-03-04T05:06:07.000Z',
    'event.code': '106',
    'event.kind': 'event',
    'event.category': undefined,
    'data_stream.dataset': undefined,
    'winlog.event_data.TaskName': '\\x',
    'winlog.event_data.UserContext': undefined,
    'winlog.record_id': '9',
    'host.name': 'ws1',
  });
});
