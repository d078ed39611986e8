/**
 * Windows Security channel (Microsoft-Windows-Security-Auditing) and service installs from the
 * System channel (Service Control Manager 7045) → canonical events, following the categorization
 * table and field mapping of Elastic's `system.security` pipeline for the events detection rules use
 * most: logons (4624, 4625, 4634, 4647, 4648, 4672), processes (4688, 4689), services and tasks
 * (4697, 4698, 4699, 4702, 7045), accounts and groups (4720, 4722–4726, 4728, 4732, 4756) and shares
 * (5140, 5145). Filtering Platform events (5156, 5157) have no entry in Elastic's table, so like
 * Elastic they get no category and keep their addresses in `winlog.event_data` only: giving them
 * `network.*` fields would make `network where` rules match events Elastic never shows them.
 */
import type { CanonicalEvent, WindowsRecord } from '../types.js';
import { splitWindowsCommandLine } from './cmdline.js';
import { DocBuilder, basenameWindows, cleanEventData, toLong } from './common.js';
import { genericWindowsBuilder } from './windows.js';

interface Categorization {
  category: string[];
  type: string[];
  action: string;
}

const C = (category: string[], type: string[], action: string): Categorization => ({ category, type, action });

export const SECURITY_CATEGORIZATION: Readonly<Record<number, Categorization>> = {
  1102: C(['iam'], ['admin', 'change'], 'audit-log-cleared'),
  4624: C(['authentication'], ['start'], 'logged-in'),
  4625: C(['authentication'], ['start'], 'logon-failed'),
  4634: C(['authentication'], ['end'], 'logged-out'),
  4647: C(['authentication'], ['end'], 'logged-out'),
  4648: C(['authentication'], ['start'], 'logged-in-explicit'),
  4657: C(['registry', 'configuration'], ['change'], 'registry-value-modified'),
  4672: C(['iam'], ['admin'], 'logged-in-special'),
  4673: C(['iam'], ['admin'], 'privileged-service-called'),
  4674: C(['iam'], ['admin'], 'privileged-operation'),
  4688: C(['process'], ['start'], 'created-process'),
  4689: C(['process'], ['end'], 'exited-process'),
  4697: C(['iam', 'configuration'], ['admin', 'change'], 'service-installed'),
  4698: C(['iam', 'configuration'], ['creation', 'admin'], 'scheduled-task-created'),
  4699: C(['iam', 'configuration'], ['deletion', 'admin'], 'scheduled-task-deleted'),
  4700: C(['iam', 'configuration'], ['change', 'admin'], 'scheduled-task-enabled'),
  4701: C(['iam', 'configuration'], ['change', 'admin'], 'scheduled-task-disabled'),
  4702: C(['iam', 'configuration'], ['change', 'admin'], 'scheduled-task-updated'),
  4719: C(['iam', 'configuration'], ['admin', 'change'], 'changed-audit-config'),
  4720: C(['iam'], ['user', 'creation'], 'added-user-account'),
  4722: C(['iam'], ['user', 'change'], 'enabled-user-account'),
  4723: C(['iam'], ['user', 'change'], 'changed-password'),
  4724: C(['iam'], ['user', 'change'], 'reset-password'),
  4725: C(['iam'], ['user', 'deletion'], 'disabled-user-account'),
  4726: C(['iam'], ['user', 'deletion'], 'deleted-user-account'),
  4728: C(['iam'], ['group', 'change'], 'added-member-to-group'),
  4732: C(['iam'], ['group', 'change'], 'added-member-to-group'),
  4738: C(['iam'], ['user', 'change'], 'modified-user-account'),
  4756: C(['iam'], ['group', 'change'], 'added-member-to-group'),
  4768: C(['authentication'], ['start'], 'kerberos-authentication-ticket-requested'),
  4769: C(['authentication'], ['start'], 'kerberos-service-ticket-requested'),
  4776: C(['authentication'], ['start'], 'credential-validated'),
  4798: C(['iam'], ['user', 'info'], 'group-membership-enumerated'),
  4799: C(['iam'], ['group', 'info'], 'user-member-enumerated'),
  5140: C(['network', 'file'], ['info', 'access'], 'network-share-object-accessed'),
  5145: C(['network', 'file'], ['info', 'access'], 'network-share-object-access-checked'),
};

/** Event codes whose PrivilegeList Elastic splits into one value per privilege. */
const PRIVILEGE_LIST_EVENTS = new Set([4672, 4673, 4674, 4741, 4742, 4743]);

/** 4697's ServiceType as Elastic names it in `service.type`. */
const SERVICE_TYPES: Readonly<Record<string, string>> = {
  '0x1': 'Kernel Driver',
  '0x2': 'File System Driver',
  '0x8': 'Recognizer Driver',
  '0x10': 'Win32 Own Process',
  '0x20': 'Win32 Share Process',
  '0x110': 'Interactive Own Process',
  '0x120': 'Interactive Share Process',
};

export const LOGON_TYPES: Readonly<Record<string, string>> = {
  2: 'Interactive', 3: 'Network', 4: 'Batch', 5: 'Service', 7: 'Unlock', 8: 'NetworkCleartext',
  9: 'NewCredentials', 10: 'RemoteInteractive', 11: 'CachedInteractive',
};

/** Events whose Target* account is the user the event is about (the one logging on or off). */
const TARGET_USER_EVENTS = new Set([4624, 4625, 4634, 4647, 4768, 4769, 4776]);

/** Account management events about another account (user.target). */
const TARGET_ACCOUNT_EVENTS = new Set([4720, 4722, 4723, 4724, 4725, 4726, 4738, 4740, 4767, 4798]);

/** Group management events (group.*, the member as user.target). */
const GROUP_EVENTS = new Set([4727, 4728, 4729, 4730, 4731, 4732, 4733, 4734, 4735, 4737, 4754, 4755, 4756, 4757, 4758, 4799]);

function setUser(b: DocBuilder, prefix: string, name?: string, domain?: string, sid?: string): void {
  b.set(`${prefix}.name`, name);
  b.set(`${prefix}.domain`, domain);
  b.set(`${prefix}.id`, sid);
}

function setProcess(b: DocBuilder, prefix: string, pid: string | undefined, executable: string | undefined): void {
  b.set(`${prefix}.pid`, toLong(pid));
  b.set(`${prefix}.executable`, executable);
  b.set(`${prefix}.name`, basenameWindows(executable));
}

function setArgs(b: DocBuilder, prefix: string, commandLine: string | undefined): void {
  if (!commandLine) return;
  b.set(`${prefix}.command_line`, commandLine);
  const args = splitWindowsCommandLine(commandLine);
  b.set(`${prefix}.args`, args);
  b.set(`${prefix}.args_count`, args.length);
}

export function normalizeSecurity(record: WindowsRecord): CanonicalEvent {
  const b = genericWindowsBuilder(record);
  const eid = record.eventId;
  const d = cleanEventData(record.eventData);
  const cat = SECURITY_CATEGORIZATION[eid];
  if (cat) {
    b.set('event.category', [...cat.category]);
    b.set('event.type', [...cat.type]);
    b.set('event.action', cat.action);
  }
  if (eid === 4625) b.set('event.outcome', 'failure');

  // Users: the logged-on account for logon events, the acting (Subject) account otherwise.
  if (TARGET_USER_EVENTS.has(eid)) {
    setUser(b, 'user', d.TargetUserName?.split('@')[0], d.TargetDomainName, d.TargetUserSid ?? d.TargetSid);
    b.set('winlog.logon.id', d.TargetLogonId);
  } else {
    setUser(b, 'user', d.SubjectUserName, d.SubjectDomainName, d.SubjectUserSid);
    b.set('winlog.logon.id', d.SubjectLogonId);
    // The account a process runs as, or whose credentials were used, is the effective user.
    if (eid === 4688 || eid === 4648) setUser(b, 'user.effective', d.TargetUserName, d.TargetDomainName, d.TargetUserSid);
    if (TARGET_ACCOUNT_EVENTS.has(eid)) setUser(b, 'user.target', d.TargetUserName?.split('@')[0], d.TargetDomainName, d.TargetSid);
  }
  if (GROUP_EVENTS.has(eid)) {
    b.set('group.name', d.TargetUserName);
    b.set('group.domain', d.TargetDomainName?.replace(/dc=/gi, ''));
    b.set('group.id', d.TargetSid ?? d.TargetUserSid);
    if (d.MemberName) {
      // CN=Jane Doe,OU=…,DC=corp,DC=example → Jane Doe
      const parts = d.MemberName.split(',');
      b.set('user.target.name', (parts[0] as string).replace(/^cn=/i, ''));
    }
  }
  if (d.LogonType) b.set('winlog.logon.type', LOGON_TYPES[d.LogonType]);
  if (eid === 4625) {
    b.set('winlog.logon.failure.status', d.Status);
    b.set('winlog.logon.failure.sub_status', d.SubStatus);
    b.set('winlog.logon.failure.reason', d.FailureReason);
  }

  // Network origin of logons and share access.
  if (d.IpAddress) b.set('source.ip', d.IpAddress);
  if (d.IpPort && d.IpPort !== '0') b.set('source.port', toLong(d.IpPort));
  b.set('source.domain', d.WorkstationName);

  // Processes.
  if (eid === 4688) {
    setProcess(b, 'process', d.NewProcessId, d.NewProcessName);
    setArgs(b, 'process', d.CommandLine);
    setProcess(b, 'process.parent', d.ProcessId, d.ParentProcessName);
  } else if (d.ProcessName || d.ProcessId) {
    setProcess(b, 'process', d.ProcessId, d.ProcessName);
  }

  // Services and scheduled tasks.
  b.set('service.name', d.ServiceName);
  if (d.ServiceType) b.set('service.type', SERVICE_TYPES[d.ServiceType]);

  // Privileges: one value per privilege, as Elastic splits the list on white space.
  if (PRIVILEGE_LIST_EVENTS.has(eid) && d.PrivilegeList) {
    const privileges = d.PrivilegeList.split(/\s+/).filter((p) => p !== '');
    const eventData = b.get('winlog.event_data') as Record<string, unknown>;
    eventData.PrivilegeList = privileges;
  }

  // Shares: Elastic takes the relative target as the file name as written (it may hold folders)
  // and joins it to the share's local path.
  if (eid === 5140 || eid === 5145) {
    const name = d.RelativeTargetName;
    const directory = d.ShareLocalPath;
    b.set('file.name', name);
    b.set('file.directory', directory);
    if (name && directory) b.set('file.path', `${directory}\\${name}`);
    if (name && d.ShareName) b.set('file.target_path', `${d.ShareName}\\${name}`);
    const dot = name ? name.lastIndexOf('.') : -1;
    if (name && dot > -1) b.set('file.extension', name.slice(dot + 1));
  }

  b.append('related.user', b.get('user.name'));
  b.append('related.user', b.get('user.target.name'));
  b.append('related.ip', b.get('source.ip'));
  return b.doc;
}

/** Service Control Manager 7045 (System): a service was installed. */
export function normalizeServiceInstall(record: WindowsRecord): CanonicalEvent {
  const b = genericWindowsBuilder(record);
  const d = cleanEventData(record.eventData);
  b.set('event.category', ['iam', 'configuration']);
  b.set('event.type', ['admin', 'change']);
  b.set('event.action', 'service-installed');
  b.set('service.name', d.ServiceName);
  b.set('file.path', d.ImagePath);
  return b.doc;
}
