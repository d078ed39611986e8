/**
 * Sigma's Windows log source taxonomy: which events a `logsource` selects (channel, EventID,
 * provider, extra conditions) and how Sigma's field names read each of them. Sigma rules never name
 * a channel; this table is what turns `category: process_creation` into "Sysmon 1 or Security
 * 4688". It follows the taxonomy appendix of the Sigma specification and SigmaHQ's `tests/thor.yml`
 * (the table SigmaHQ's own regression runner uses), plus the Security 4688 field renderings Hayabusa
 * maps (`LogonId` → `SubjectLogonId`, `ProcessId` → `NewProcessId` in hex, `IntegrityLevel` → the
 * mandatory label SID), so that a rule written in Sysmon's names means the same on both sources.
 *
 * A variant lists the fields its events carry. A field the variant does not carry is "not carried":
 * no value test matches it and `Field: null` does not either, so an exclusion on such a field can
 * neither drop nor keep an event by accident (see docs/sigma.md, "Missing, empty and null").
 */

export const SYSMON_CHANNEL = 'Microsoft-Windows-Sysmon/Operational';

/** How one Sigma field name reads the events of one variant. */
export type FieldSource =
  /** A canonical path, compared as the string Windows renders. */
  | { path: string; render?: ValueRendering }
  /** Several canonical paths joined with a separator (4688's `DOMAIN\user`). */
  | { concat: string[]; separator: string }
  /** `then` when the event has `when` with a value outside `notIn`, else `else`. */
  | { when: string; notIn: string[]; then: FieldSource; else: FieldSource };

/**
 * How a rule's value (written for Sysmon) is rewritten for the variant's own rendering:
 * `hex` turns decimal numbers into Windows' `0x…` text, `integrity` turns level names into the
 * mandatory label SID 4688 writes.
 */
export type ValueRendering = 'hex' | 'integrity';

export interface LogsourceVariant {
  /** Short name shown in explanations: `sysmon-1`, `security-4688`. */
  name: string;
  /** Channels (compared case-insensitively); empty: any channel. */
  channels: string[];
  /** Event IDs; absent: any. */
  eventIds?: number[];
  /** Extra equality conditions on Sigma fields (registry_add: EventType CreateKey). */
  where?: Record<string, string[]>;
  /** Sigma name → source, for names that do not read `winlog.event_data.<Name>` as written. */
  fields: Record<string, FieldSource>;
  /** EventData names the events carry (besides the System fields); absent: not known, any name may be carried. */
  carried?: ReadonlySet<string>;
}

export interface LogsourceSpec {
  product?: string;
  category?: string;
  service?: string;
}

/** System element fields, as Sigma names them (evtx_dump/THOR flattening). */
export const SYSTEM_FIELDS: Readonly<Record<string, string>> = {
  EventID: 'winlog.event_id',
  Channel: 'winlog.channel',
  Computer: 'winlog.computer_name',
  Provider_Name: 'winlog.provider_name',
  Provider_Guid: 'winlog.provider_guid',
  EventRecordID: 'winlog.record_id',
  Version: 'winlog.version',
  Task: 'winlog.task',
  Opcode: 'winlog.opcode',
  Keywords: 'winlog.keywords',
  Security_UserID: 'winlog.user.identifier',
  Execution_ProcessID: 'winlog.process.pid',
  Execution_ThreadID: 'winlog.process.thread.id',
};

// ---- Sysmon schema (version 15): EventData names per event ID ----

const COMMON = ['RuleName', 'UtcTime'];
const PROC = ['ProcessGuid', 'ProcessId', 'Image', 'User'];
const SYSMON_FIELDS: Record<number, string[]> = {
  1: [...COMMON, ...PROC, 'FileVersion', 'Description', 'Product', 'Company', 'OriginalFileName', 'CommandLine', 'CurrentDirectory', 'LogonGuid', 'LogonId', 'TerminalSessionId', 'IntegrityLevel', 'Hashes', 'ParentProcessGuid', 'ParentProcessId', 'ParentImage', 'ParentCommandLine', 'ParentUser'],
  2: [...COMMON, ...PROC, 'TargetFilename', 'CreationUtcTime', 'PreviousCreationUtcTime'],
  3: [...COMMON, ...PROC, 'Protocol', 'Initiated', 'SourceIsIpv6', 'SourceIp', 'SourceHostname', 'SourcePort', 'SourcePortName', 'DestinationIsIpv6', 'DestinationIp', 'DestinationHostname', 'DestinationPort', 'DestinationPortName'],
  4: ['UtcTime', 'State', 'Version', 'SchemaVersion'],
  5: [...COMMON, ...PROC],
  6: [...COMMON, 'ImageLoaded', 'Hashes', 'Signed', 'Signature', 'SignatureStatus'],
  7: [...COMMON, ...PROC, 'ImageLoaded', 'FileVersion', 'Description', 'Product', 'Company', 'OriginalFileName', 'Hashes', 'Signed', 'Signature', 'SignatureStatus'],
  8: [...COMMON, 'SourceProcessGuid', 'SourceProcessId', 'SourceImage', 'TargetProcessGuid', 'TargetProcessId', 'TargetImage', 'NewThreadId', 'StartAddress', 'StartModule', 'StartFunction', 'SourceUser', 'TargetUser'],
  9: [...COMMON, ...PROC, 'Device'],
  10: [...COMMON, 'SourceProcessGUID', 'SourceProcessId', 'SourceThreadId', 'SourceImage', 'TargetProcessGUID', 'TargetProcessId', 'TargetImage', 'GrantedAccess', 'CallTrace', 'SourceUser', 'TargetUser'],
  11: [...COMMON, ...PROC, 'TargetFilename', 'CreationUtcTime'],
  12: [...COMMON, ...PROC, 'EventType', 'TargetObject'],
  13: [...COMMON, ...PROC, 'EventType', 'TargetObject', 'Details'],
  14: [...COMMON, ...PROC, 'EventType', 'TargetObject', 'NewName'],
  15: [...COMMON, ...PROC, 'TargetFilename', 'CreationUtcTime', 'Hash', 'Contents'],
  16: ['UtcTime', 'Configuration', 'ConfigurationFileHash'],
  17: [...COMMON, ...PROC, 'EventType', 'PipeName'],
  18: [...COMMON, ...PROC, 'EventType', 'PipeName'],
  19: [...COMMON, 'EventType', 'Operation', 'User', 'EventNamespace', 'Name', 'Query'],
  20: [...COMMON, 'EventType', 'Operation', 'User', 'Name', 'Type', 'Destination'],
  21: [...COMMON, 'EventType', 'Operation', 'User', 'Consumer', 'Filter'],
  22: [...COMMON, ...PROC, 'QueryName', 'QueryStatus', 'QueryResults'],
  23: [...COMMON, ...PROC, 'TargetFilename', 'Hashes', 'IsExecutable', 'Archived'],
  24: [...COMMON, ...PROC, 'Session', 'ClientInfo', 'Hashes', 'Archived'],
  25: [...COMMON, ...PROC, 'Type'],
  26: [...COMMON, ...PROC, 'TargetFilename', 'Hashes', 'IsExecutable'],
  27: [...COMMON, ...PROC, 'TargetFilename', 'Hashes'],
  28: [...COMMON, ...PROC, 'TargetFilename', 'Hashes'],
  29: [...COMMON, ...PROC, 'TargetFilename', 'Hashes'],
  255: ['UtcTime', 'ID', 'Description'],
};

function sysmonCarried(ids: number[]): ReadonlySet<string> {
  const out = new Set<string>();
  for (const id of ids) for (const f of SYSMON_FIELDS[id] ?? []) out.add(f);
  return out;
}

function sysmon(ids: number[], where?: Record<string, string[]>): LogsourceVariant {
  return { name: `sysmon-${ids.join('/')}`, channels: [SYSMON_CHANNEL], eventIds: ids, fields: {}, carried: sysmonCarried(ids), ...(where ? { where } : {}) };
}

/**
 * Security 4688 (process creation), in Sysmon's names. Sysmon's LogonId and User are the new
 * process's; 4688 (version 2) writes them as TargetLogonId/TargetUserName when the new process runs
 * in another logon session than its creator (WmiPrvSE.exe as NETWORK SERVICE starting a user's
 * process), and as the Subject fields otherwise, with TargetLogonId 0x0.
 */
const NEW_PROCESS_LOGON = 'winlog.event_data.TargetLogonId';
const SECURITY_4688_FIELDS: Record<string, FieldSource> = {
  Image: { path: 'winlog.event_data.NewProcessName' },
  ParentImage: { path: 'winlog.event_data.ParentProcessName' },
  CommandLine: { path: 'winlog.event_data.CommandLine' },
  ProcessId: { path: 'winlog.event_data.NewProcessId', render: 'hex' },
  ParentProcessId: { path: 'winlog.event_data.ProcessId', render: 'hex' },
  LogonId: { when: NEW_PROCESS_LOGON, notIn: ['0x0'], then: { path: 'winlog.event_data.TargetLogonId' }, else: { path: 'winlog.event_data.SubjectLogonId' } },
  User: {
    when: NEW_PROCESS_LOGON,
    notIn: ['0x0'],
    then: { concat: ['winlog.event_data.TargetDomainName', 'winlog.event_data.TargetUserName'], separator: '\\' },
    else: { concat: ['winlog.event_data.SubjectDomainName', 'winlog.event_data.SubjectUserName'], separator: '\\' },
  },
  IntegrityLevel: { path: 'winlog.event_data.MandatoryLabel', render: 'integrity' },
};

const SECURITY_4688: LogsourceVariant = {
  name: 'security-4688',
  channels: ['Security'],
  eventIds: [4688],
  fields: SECURITY_4688_FIELDS,
  // 4688's own EventData names may be used as written too.
  carried: new Set([
    ...Object.keys(SECURITY_4688_FIELDS),
    'SubjectUserSid', 'SubjectUserName', 'SubjectDomainName', 'SubjectLogonId', 'NewProcessId', 'NewProcessName',
    'TokenElevationType', 'ProcessId', 'TargetUserSid', 'TargetUserName', 'TargetDomainName', 'TargetLogonId',
    'ParentProcessName', 'MandatoryLabel',
  ]),
};

const PS_OPERATIONAL = ['Microsoft-Windows-PowerShell/Operational', 'PowerShellCore/Operational'];
const PS_CLASSIC = ['Windows PowerShell'];

function channelVariant(name: string, channels: string[], eventIds?: number[]): LogsourceVariant {
  return { name, channels, ...(eventIds ? { eventIds } : {}), fields: {} };
}

/** Windows categories: Sigma taxonomy appendix and thor.yml. */
const WINDOWS_CATEGORIES: Record<string, LogsourceVariant[]> = {
  process_creation: [sysmon([1]), SECURITY_4688],
  file_change: [sysmon([2])],
  network_connection: [sysmon([3])],
  sysmon_status: [sysmon([4, 16])],
  process_termination: [sysmon([5])],
  driver_load: [sysmon([6])],
  image_load: [sysmon([7])],
  create_remote_thread: [sysmon([8])],
  raw_access_thread: [sysmon([9])],
  process_access: [sysmon([10])],
  file_event: [sysmon([11])],
  registry_event: [sysmon([12, 13, 14])],
  registry_add: [sysmon([12], { EventType: ['CreateKey'] })],
  registry_delete: [sysmon([12], { EventType: ['DeleteKey', 'DeleteValue'] })],
  registry_set: [sysmon([13])],
  registry_rename: [sysmon([14])],
  create_stream_hash: [sysmon([15])],
  pipe_created: [sysmon([17, 18])],
  wmi_event: [sysmon([19, 20, 21])],
  dns_query: [sysmon([22])],
  file_delete: [sysmon([23])],
  clipboard_change: [sysmon([24])],
  clipboard_capture: [sysmon([24])],
  process_tampering: [sysmon([25])],
  file_delete_detected: [sysmon([26])],
  file_block_executable: [sysmon([27])],
  file_block_shredding: [sysmon([28])],
  file_executable_detected: [sysmon([29])],
  sysmon_error: [sysmon([255])],
  ps_module: [channelVariant('powershell-4103', PS_OPERATIONAL, [4103])],
  ps_script: [channelVariant('powershell-4104', PS_OPERATIONAL, [4104])],
  ps_classic_start: [channelVariant('powershell-classic-400', PS_CLASSIC, [400])],
  ps_classic_provider_start: [channelVariant('powershell-classic-600', PS_CLASSIC, [600])],
  ps_classic_script: [channelVariant('powershell-classic-800', PS_CLASSIC, [800])],
};

/** Categories that exist in the taxonomy but have no event log channel (ETW only). */
export const ETW_ONLY_CATEGORIES = new Set(['file_access', 'file_rename', 'dns', 'webserver']);

/** Windows services → channels (taxonomy appendix / thor.yml). */
const WINDOWS_SERVICES: Record<string, string[]> = {
  security: ['Security'],
  system: ['System'],
  application: ['Application'],
  sysmon: [SYSMON_CHANNEL],
  powershell: PS_OPERATIONAL,
  'powershell-classic': PS_CLASSIC,
  wmi: ['Microsoft-Windows-WMI-Activity/Operational'],
  windefend: ['Microsoft-Windows-Windows Defender/Operational'],
  taskscheduler: ['Microsoft-Windows-TaskScheduler/Operational'],
  applocker: [
    'Microsoft-Windows-AppLocker/MSI and Script',
    'Microsoft-Windows-AppLocker/EXE and DLL',
    'Microsoft-Windows-AppLocker/Packaged app-Deployment',
    'Microsoft-Windows-AppLocker/Packaged app-Execution',
  ],
  'security-mitigations': ['Microsoft-Windows-Security-Mitigations/Kernel Mode', 'Microsoft-Windows-Security-Mitigations/User Mode'],
  'dns-server': ['DNS Server'],
  'dns-server-analytic': ['Microsoft-Windows-DNS-Server/Analytical'],
  'dns-client': ['Microsoft-Windows-DNS Client Events/Operational'],
  'driver-framework': ['Microsoft-Windows-DriverFrameworks-UserMode/Operational'],
  'ntlm': ['Microsoft-Windows-NTLM/Operational'],
  'msexchange-management': ['MSExchange Management'],
  'bits-client': ['Microsoft-Windows-Bits-Client/Operational'],
  'codeintegrity-operational': ['Microsoft-Windows-CodeIntegrity/Operational'],
  'firewall-as': ['Microsoft-Windows-Windows Firewall With Advanced Security/Firewall'],
  'appxdeployment-server': ['Microsoft-Windows-AppXDeploymentServer/Operational'],
  'appxpackaging-om': ['Microsoft-Windows-AppxPackaging/Operational'],
  'appmodel-runtime': ['Microsoft-Windows-AppModel-Runtime/Admin'],
  'capi2': ['Microsoft-Windows-CAPI2/Operational'],
  'certificateservicesclient-lifecycle-system': ['Microsoft-Windows-CertificateServicesClient-Lifecycle-System/Operational'],
  'diagnosis-scripted': ['Microsoft-Windows-Diagnosis-Scripted/Operational'],
  'ldap_debug': ['Microsoft-Windows-LDAP-Client/Debug'],
  'lsa-server': ['Microsoft-Windows-LSA/Operational'],
  'microsoft-servicebus-client': ['Microsoft-ServiceBus-Client'],
  'openssh': ['OpenSSH/Operational'],
  'printservice-admin': ['Microsoft-Windows-PrintService/Admin'],
  'printservice-operational': ['Microsoft-Windows-PrintService/Operational'],
  'shell-core': ['Microsoft-Windows-Shell-Core/Operational'],
  'smbclient-security': ['Microsoft-Windows-SmbClient/Security'],
  'smbclient-connectivity': ['Microsoft-Windows-SmbClient/Connectivity'],
  'smbserver-connectivity': ['Microsoft-Windows-SMBServer/Connectivity'],
  'terminalservices-localsessionmanager': ['Microsoft-Windows-TerminalServices-LocalSessionManager/Operational'],
  'vhdmp': ['Microsoft-Windows-VHDMP/Operational'],
  'winrm': ['Microsoft-Windows-WinRM/Operational'],
  'wmi-activity': ['Microsoft-Windows-WMI-Activity/Operational'],
  'hyper-v-worker': ['Microsoft-Windows-Hyper-V-Worker'],
  'kernel-shimengine': ['Microsoft-Windows-Kernel-ShimEngine/Operational', 'Microsoft-Windows-Kernel-ShimEngine/Diagnostic'],
  'iis-configuration': ['Microsoft-IIS-Configuration/Operational', 'Microsoft-IIS-Configuration/Administrative'],
  'sysmon-operational': [SYSMON_CHANNEL],
  'ntfs': ['Microsoft-Windows-Ntfs/Operational'],
  'bitlocker': ['Microsoft-Windows-BitLocker/BitLocker Management'],
  'dhcp': ['Microsoft-Windows-DHCP-Server/Operational'],
  'file-server': ['Microsoft-Windows-SMBServer/Audit'],
  'crypto-dpapi': ['Microsoft-Windows-Crypto-DPAPI/Operational'],
};

export type LogsourceResolution =
  | { ok: true; variants: LogsourceVariant[]; note?: string }
  | { ok: false; reason: string; unsupported: boolean };

/**
 * The event variants a `logsource` selects. Category and service combine as an AND (the service's
 * channels narrow the category's variants). A non-Windows product cannot be replayed on Windows
 * event logs: it is unsupported, said so, never silently empty.
 */
export function resolveLogsource(ls: LogsourceSpec): LogsourceResolution {
  const product = ls.product?.toLowerCase();
  const category = ls.category?.toLowerCase();
  const service = ls.service?.toLowerCase();
  if (product !== undefined && product !== 'windows') {
    return { ok: false, unsupported: true, reason: `logsource product "${ls.product}" is not a Windows event log source; ruleproof replays Windows event logs` };
  }
  if (product === undefined && category === undefined && service === undefined) {
    return { ok: false, unsupported: false, reason: 'logsource names no product, category or service' };
  }
  let variants: LogsourceVariant[] | undefined;
  if (category !== undefined) {
    if (ETW_ONLY_CATEGORIES.has(category)) {
      return { ok: false, unsupported: true, reason: `logsource category "${category}" is an ETW source with no event log channel` };
    }
    variants = WINDOWS_CATEGORIES[category];
    if (!variants) {
      return { ok: false, unsupported: true, reason: `logsource category "${category}" is not in the Sigma Windows taxonomy ruleproof knows` };
    }
  }
  if (service !== undefined) {
    const channels = WINDOWS_SERVICES[service];
    if (!channels) return { ok: false, unsupported: true, reason: `logsource service "${service}" is not in the Sigma Windows taxonomy ruleproof knows` };
    if (variants) {
      const wanted = new Set(channels.map((c) => c.toLowerCase()));
      variants = variants.filter((v) => v.channels.some((c) => wanted.has(c.toLowerCase())));
      if (!variants.length) return { ok: false, unsupported: false, reason: `logsource category "${category}" has no events on the channels of service "${service}"` };
    } else {
      const carried = service === 'sysmon' || service === 'sysmon-operational' ? sysmonCarried(Object.keys(SYSMON_FIELDS).map(Number)) : undefined;
      variants = [{ name: service, channels, fields: {}, ...(carried ? { carried } : {}) }];
    }
  }
  if (!variants) {
    // product: windows alone: every Windows event.
    variants = [{ name: 'windows', channels: [], fields: {} }];
  }
  return { ok: true, variants };
}

/** Every logsource category and service the taxonomy knows (for lint). */
export function knownLogsources(): { categories: string[]; services: string[] } {
  return { categories: [...Object.keys(WINDOWS_CATEGORIES), ...ETW_ONLY_CATEGORIES].sort(), services: Object.keys(WINDOWS_SERVICES).sort() };
}

/** Every field name some Windows source in the taxonomy carries (Sysmon schema, 4688, System fields). */
export const KNOWN_SIGMA_FIELDS: ReadonlySet<string> = new Set<string>([
  ...Object.values(SYSMON_FIELDS).flat(),
  ...(SECURITY_4688.carried as ReadonlySet<string>),
  ...Object.keys(SYSTEM_FIELDS),
]);

/** The integrity level names Sysmon writes, as the mandatory label SIDs 4688 writes. */
export const INTEGRITY_SIDS: Readonly<Record<string, string>> = {
  untrusted: 'S-1-16-0',
  low: 'S-1-16-4096',
  medium: 'S-1-16-8192',
  mediumplus: 'S-1-16-8448',
  high: 'S-1-16-12288',
  system: 'S-1-16-16384',
  protectedprocess: 'S-1-16-20480',
};
