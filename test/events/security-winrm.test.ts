/**
 * Windows Security events of the list not covered in windows.test.ts, each from a real OTRF
 * line, and WinRM Operational 91/169 through the Splunk XML reader.
 */
import path from 'node:path';
import t, { type Test } from 'tap';
import { getField } from '../../src/events/fields.js';
import { normalizeWindowsRecord } from '../../src/events/normalize/index.js';
import { renderWinRmMessage } from '../../src/events/normalize/winrm.js';
import { readSplunkXmlRecords } from '../../src/events/readers/splunk-xml.js';
import type { CanonicalEvent, WindowsRecord } from '../../src/events/types.js';
import { repoRoot, sampleEvent } from './helpers.js';

function fields(t: Test, doc: CanonicalEvent, expected: Record<string, unknown>): void {
  for (const [p, value] of Object.entries(expected)) {
    if (value === undefined) t.equal(getField(doc, p), undefined, `${p} absent`);
    else t.same(getField(doc, p), value, p);
  }
}

t.test('4634 logoff: the account logging off is the user', async (t) => {
  fields(t, sampleEvent('sec4634'), {
    'event.category': ['authentication'],
    'event.type': ['end'],
    'event.action': 'logged-out',
    'event.outcome': 'success',
    'user.name': 'MORDORDC$',
    'user.domain': 'THESHIRE',
    'user.id': 'S-1-5-18',
    'winlog.logon.id': '0x1493896',
    'winlog.logon.type': 'Network',
    '@timestamp': '2020-08-06T15:56:07.000Z',
  });
});

t.test('4648 explicit credentials: subject as user, target as effective user, the calling process', async (t) => {
  fields(t, sampleEvent('sec4648'), {
    'event.category': ['authentication'],
    'event.type': ['start'],
    'event.action': 'logged-in-explicit',
    'user.name': 'pgustavo',
    'user.domain': 'THESHIRE',
    'user.id': 'S-1-5-21-1363495622-3806888128-621328882-1104',
    'user.effective.name': 'pgustavo',
    'user.effective.domain': 'THESHIRE.LOCAL',
    'process.pid': 0x1c48,
    'process.executable': 'C:\\Users\\pgustavo\\Desktop\\GruntHTTP.exe',
    'process.name': 'GruntHTTP.exe',
    'winlog.logon.id': '0x2bc327',
    'winlog.event_data.TargetServerName': 'WORKSTATION6',
    'winlog.event_data.TargetInfo': 'HTTP/WORKSTATION6',
    // "-" is no address
    'source.ip': undefined,
    'source.port': undefined,
  });
});

t.test('4672 special logon: the privilege list split into one value per privilege', async (t) => {
  const doc = sampleEvent('sec4672');
  fields(t, doc, {
    'event.category': ['iam'],
    'event.type': ['admin'],
    'event.action': 'logged-in-special',
    'user.name': 'MORDORDC$',
    'winlog.logon.id': '0x1493896',
  });
  const privileges = getField(doc, 'winlog.event_data.PrivilegeList') as string[];
  t.equal(privileges.length, 10);
  t.same(privileges.slice(0, 2), ['SeSecurityPrivilege', 'SeBackupPrivilege']);
  t.ok(privileges.includes('SeEnableDelegationPrivilege'));
  t.notOk(privileges.some((p) => /\s/.test(p)), 'no white space left in a value');
});

t.test('4702 scheduled task updated', async (t) => {
  fields(t, sampleEvent('sec4702'), {
    'event.category': ['iam', 'configuration'],
    'event.type': ['change', 'admin'],
    'event.action': 'scheduled-task-updated',
    'user.name': 'IT001$',
    'user.domain': 'shire',
    'winlog.channel': 'Security',
    'winlog.event_data.TaskName': '\\Microsoft\\Windows\\GroupPolicy\\{3E0A038B-D834-4930-9981-E89C9BFF83AA}',
    '@timestamp': '2019-12-05T01:49:49.000Z',
  });
});

t.test('5145 share access check and 5140 share access: file fields as Elastic builds them', async (t) => {
  fields(t, sampleEvent('sec5145'), {
    'event.category': ['network', 'file'],
    'event.type': ['info', 'access'],
    'event.action': 'network-share-object-access-checked',
    'source.ip': 'fe80::3816:b2ee:1b9b:324b',
    'source.port': 53549,
    'user.name': 'MORDORDC$',
    'file.name': '\\',
    'file.directory': '\\??\\C:\\SYSVOL\\sysvol',
    'file.path': '\\??\\C:\\SYSVOL\\sysvol\\\\',
    'file.target_path': '\\\\*\\SYSVOL\\\\',
    'file.extension': undefined,
    'winlog.event_data.ShareName': '\\\\*\\SYSVOL',
  });
  fields(t, sampleEvent('sec5140'), {
    'event.action': 'network-share-object-accessed',
    'source.ip': '172.18.38.6',
    'source.port': 60878,
    'user.name': 'WEC$',
    'winlog.event_data.ShareName': '\\\\*\\IPC$',
    // 5140 names the share only
    'file.name': undefined,
    'file.path': undefined,
  });
});

t.test('4689, 4697 and 7045 from real lines', async (t) => {
  fields(t, sampleEvent('sec4689'), {
    'event.type': ['end'],
    'event.action': 'exited-process',
    'process.pid': 0x1d74,
    'process.name': 'taskhostw.exe',
    'user.name': 'sbeavers',
  });
  fields(t, sampleEvent('sec4697'), {
    'event.action': 'service-installed',
    'service.name': 'Cyb3rWard0g',
    'service.type': 'Win32 Own Process',
    'user.name': 'pgustavo',
    'winlog.event_data.ServiceFileName': 'C:\\Windows\\System32\\GruntHTTP2.exe',
  });
  fields(t, sampleEvent('sys7045'), {
    'event.action': 'service-installed',
    'data_stream.dataset': 'system.system',
    'service.name': 'OTR',
    'file.path': 'C:\\Windows\\System32\\GruntHTTP2.exe',
    'winlog.keywords': ['Classic'],
    'winlog.user.identifier': 'S-1-5-21-1363495622-3806888128-621328882-1104',
  });
});

async function winrmEvents(): Promise<CanonicalEvent[]> {
  const out: CanonicalEvent[] = [];
  const diagnostics: unknown[] = [];
  const file = path.join(repoRoot, 'test/fixtures/xml/winrm-operational.xml');
  for await (const raw of readSplunkXmlRecords(file, { file: 'winrm-operational.xml', onDiagnostic: (d) => diagnostics.push(d) })) {
    if (raw.kind === 'windows') out.push(normalizeWindowsRecord(raw.record));
  }
  if (diagnostics.length) throw new Error(JSON.stringify(diagnostics));
  return out;
}

t.test('WinRM Operational 169 and 91: raw fields and message as the custom Windows event log integration indexes them', async (t) => {
  const [auth, shell] = await winrmEvents();
  t.ok(auth && shell);
  fields(t, auth as CanonicalEvent, {
    '@timestamp': '2021-05-12T09:14:03.1187312Z',
    'event.code': '169',
    'event.provider': 'Microsoft-Windows-WinRM',
    'event.kind': 'event',
    'event.dataset': 'winlog.winlog',
    'data_stream.dataset': 'winlog.winlog',
    'winlog.channel': 'Microsoft-Windows-WinRM/Operational',
    'winlog.event_data.username': 'CORP\\admin.jdoe',
    'winlog.event_data.authenticationMechanism': 'Kerberos',
    'winlog.user.identifier': 'S-1-5-20',
    'winlog.record_id': '3312',
    'host.name': 'srv01',
    message: 'User CORP\\admin.jdoe authenticated successfully using Kerberos authentication',
    // No Elastic pipeline maps the channel: no categorization, no user.name from event data
    'event.category': undefined,
    'event.module': undefined,
    'user.name': undefined,
  });
  fields(t, shell as CanonicalEvent, {
    'event.code': '91',
    'winlog.version': 1,
    'winlog.event_data.shellId': '4CB2EDD9-51AE-4011-BBEC-817DD34DBCF8',
    message: 'Creating WSMan shell on server with ResourceUri: http://schemas.microsoft.com/powershell/Microsoft.PowerShell (CORP\\admin.jdoe clientIP: 10.0.0.23)',
    'user.id': 'S-1-5-21-1111111111-2222222222-3333333333-1104',
    'source.ip': undefined,
  });
});

t.test('WinRM messages: unnamed parameters, missing values and other events', async (t) => {
  const record = (eventId: number, eventData: Record<string, string>): WindowsRecord => ({
    provider: 'Microsoft-Windows-WinRM',
    eventId,
    channel: 'Microsoft-Windows-WinRM/Operational',
    computer: 'WS1',
    eventData,
  });
  t.equal(renderWinRmMessage(record(169, { param1: 'a\\b', param2: 'Negotiate' })), 'User a\\b authenticated successfully using Negotiate authentication');
  t.equal(renderWinRmMessage(record(6, { connection: 'srv01/wsman?PSVersion=5.1' })), 'Creating WSMan Session. The connection string is: srv01/wsman?PSVersion=5.1');
  t.equal(renderWinRmMessage(record(169, { username: 'x' })), undefined, 'a missing value renders no message');
  t.equal(renderWinRmMessage(record(142, { operationName: 'Enumerate' })), undefined, 'an event without a known template');
  const fromNxlog = normalizeWindowsRecord({ ...record(91, { resourceUri: 'u' }), message: 'as NXLog rendered it' });
  t.equal(getField(fromNxlog, 'message'), 'as NXLog rendered it', 'a message the source carries wins');
  t.equal(getField(normalizeWindowsRecord({ ...record(91, { resourceUri: 'u' }), channel: 'microsoft-windows-winrm/operational' }), 'event.dataset'), 'winlog.winlog', 'channel case does not matter');
});
