/**
 * Sysmon (Microsoft-Windows-Sysmon/Operational) → canonical ECS event, following the ingest
 * pipeline of Elastic's Windows integration (`windows.sysmon_operational`; winlogbeat's sysmon
 * module is the same): categorization table, process/parent/file/network/DNS/registry/user
 * fields, hashes, args splitting. Unlike Elastic, which moves mapped values out of event_data,
 * every raw value also stays under `winlog.event_data` (so rules written against either shape
 * work). Where Elastic's pipeline has a quirk, the quirk is kept and commented: the goal is the
 * document Elastic would have indexed.
 */
import type { CanonicalEvent, WindowsRecord } from '../types.js';
import { parseWallClockAsUtc } from '../time.js';
import { splitWindowsCommandLine } from './cmdline.js';
import { communityId } from './community-id.js';
import { DocBuilder, baseWindowsEvent, basenameWindows, cleanEventData, toLong } from './common.js';

interface Categorization {
  category?: string[];
  type: string[];
  action: string;
  outcome?: string[];
}

/** event.category / type / action per Sysmon event ID, as in Elastic's pipeline. */
export const SYSMON_CATEGORIZATION: Readonly<Record<number, Categorization>> = {
  1: { category: ['process'], type: ['start'], action: 'Process creation' },
  2: { category: ['file'], type: ['change'], action: 'A process changed a file creation time' },
  3: { category: ['network'], type: ['start', 'connection', 'protocol'], action: 'Network connection' },
  4: { category: ['process'], type: ['change'], action: 'Sysmon service state changed' },
  5: { category: ['process'], type: ['end'], action: 'Process terminated' },
  6: { category: ['driver'], type: ['start'], action: 'Driver loaded' },
  7: { category: ['process'], type: ['change'], action: 'Image loaded' },
  8: { category: ['process'], type: ['change'], action: 'CreateRemoteThread' },
  9: { category: ['process'], type: ['access'], action: 'RawAccessRead' },
  10: { category: ['process'], type: ['access'], action: 'ProcessAccess' },
  11: { category: ['file'], type: ['creation'], action: 'FileCreate' },
  12: { category: ['configuration', 'registry'], type: ['change'], action: 'RegistryEvent (Object create and delete)' },
  13: { category: ['configuration', 'registry'], type: ['change'], action: 'RegistryEvent (Value Set)' },
  14: { category: ['configuration', 'registry'], type: ['change'], action: 'RegistryEvent (Key and Value Rename)' },
  15: { category: ['file'], type: ['access'], action: 'FileCreateStreamHash' },
  16: { category: ['configuration'], type: ['change'], action: 'ServiceConfigurationChange' },
  17: { category: ['file'], type: ['creation'], action: 'PipeEvent (Pipe Created)' },
  18: { category: ['file'], type: ['access'], action: 'PipeEvent (Pipe Connected)' },
  19: { category: ['process'], type: ['info'], action: 'WmiEvent (WmiEventFilter activity detected)' },
  20: { category: ['process'], type: ['change'], action: 'WmiEvent (WmiEventConsumer activity detected)' },
  21: { category: ['process'], type: ['access'], action: 'WmiEvent (WmiEventConsumerToFilter activity detected)' },
  22: { category: ['network'], type: ['connection', 'protocol', 'info'], action: 'DNSEvent (DNS query)' },
  23: { category: ['file'], type: ['deletion'], action: 'FileDelete (File Delete archived)' },
  24: { type: ['change'], action: 'ClipboardChange (New content in the clipboard)' },
  25: { category: ['process'], type: ['change'], action: 'ProcessTampering (Process image change)' },
  26: { category: ['file'], type: ['deletion'], action: 'FileDeleteDetected (File Delete logged)' },
  27: { category: ['file'], type: ['creation'], outcome: ['failure'], action: 'FileBlockExecutable' },
  28: { category: ['file'], type: ['deletion'], action: 'FileBlockShredding' },
  29: { category: ['file'], type: ['creation'], action: 'FileExecutableDetected' },
  255: { category: ['process'], type: [], outcome: ['failure'], action: 'Error' },
};

/** Event IDs whose Hashes describe the process (else the file: 6, 7, 15, 26, 29). */
const PROCESS_HASH_EIDS = new Set([1, 23, 24, 25]);
const FILE_HASH_EIDS = new Set([6, 7, 15, 26, 29]);

const HIVES: Record<string, string> = {
  HKEY_CLASSES_ROOT: 'HKCR', HKCR: 'HKCR', HKEY_CURRENT_CONFIG: 'HKCC', HKCC: 'HKCC',
  HKEY_CURRENT_USER: 'HKCU', HKCU: 'HKCU', HKEY_DYN_DATA: 'HKDD', HKDD: 'HKDD',
  HKEY_LOCAL_MACHINE: 'HKLM', HKLM: 'HKLM', HKEY_PERFORMANCE_DATA: 'HKPD', HKPD: 'HKPD',
  HKEY_USERS: 'HKU', HKU: 'HKU',
};

/** DNS record type numbers in Sysmon's QueryResults (`type:  5 name`). */
const DNS_TYPES: Record<string, string> = {
  1: 'A', 2: 'NS', 3: 'MD', 4: 'MF', 5: 'CNAME', 6: 'SOA', 7: 'MB', 8: 'MG', 9: 'MR', 10: 'NULL', 11: 'WKS',
  12: 'PTR', 13: 'HINFO', 14: 'MINFO', 15: 'MX', 16: 'TXT', 17: 'RP', 18: 'AFSDB', 19: 'X25', 20: 'ISDN',
  21: 'RT', 22: 'NSAP', 23: 'NSAPPTR', 24: 'SIG', 25: 'KEY', 26: 'PX', 27: 'GPOS', 28: 'AAAA', 29: 'LOC',
  30: 'NXT', 31: 'EID', 32: 'NIMLOC', 33: 'SRV', 34: 'ATMA', 35: 'NAPTR', 36: 'KX', 37: 'CERT', 38: 'A6',
  39: 'DNAME', 40: 'SINK', 41: 'OPT', 43: 'DS', 46: 'RRSIG', 47: 'NSEC', 48: 'DNSKEY', 49: 'DHCID',
  100: 'UINFO', 101: 'UID', 102: 'GID', 103: 'UNSPEC', 248: 'ADDRS', 249: 'TKEY', 250: 'TSIG', 251: 'IXFR',
  252: 'AXFR', 253: 'MAILB', 254: 'MAILA', 255: 'ANY', 65281: 'WINS', 65282: 'WINSR',
};

/** The common DNS query statuses (Win32 / DNS error codes) by name; others stay numeric. */
const DNS_STATUS: Record<string, string> = {
  0: 'SUCCESS', 5: 'ERROR_ACCESS_DENIED', 8: 'ERROR_NOT_ENOUGH_MEMORY', 13: 'ERROR_INVALID_DATA',
  14: 'ERROR_OUTOFMEMORY', 123: 'ERROR_INVALID_NAME', 1214: 'ERROR_INVALID_NETNAME', 1223: 'ERROR_CANCELLED',
  1460: 'ERROR_TIMEOUT', 4312: 'ERROR_OBJECT_NOT_FOUND', 9001: 'DNS_ERROR_RCODE_FORMAT_ERROR',
  9002: 'DNS_ERROR_RCODE_SERVER_FAILURE', 9003: 'DNS_ERROR_RCODE_NAME_ERROR', 9004: 'DNS_ERROR_RCODE_NOT_IMPLEMENTED',
  9005: 'DNS_ERROR_RCODE_REFUSED', 9501: 'DNS_INFO_NO_RECORDS', 9502: 'DNS_ERROR_BAD_PACKET',
  9503: 'DNS_ERROR_NO_PACKET', 9504: 'DNS_ERROR_RCODE', 9505: 'DNS_ERROR_UNSECURE_PACKET',
  9506: 'DNS_REQUEST_PENDING', 9560: 'DNS_ERROR_INVALID_NAME_CHAR', 9701: 'DNS_ERROR_RECORD_DOES_NOT_EXIST',
  9714: 'DNS_ERROR_NAME_DOES_NOT_EXIST', 9851: 'DNS_ERROR_NO_TCPIP', 9852: 'DNS_ERROR_NO_DNS_SERVERS',
  10054: 'WSAECONNRESET', 10055: 'WSAENOBUFS', 10060: 'WSAETIMEDOUT',
};

/** `SHA1=…,MD5=…,IMPHASH=…` → lower-case hashes, all-zero ones dropped. */
export function parseSysmonHashes(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of text.split(',')) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    const key = part.slice(0, eq).trim().toLowerCase();
    const value = part.slice(eq + 1).trim().toLowerCase();
    if (!key || /^0*$/.test(value)) continue;
    out[key] = value;
  }
  return out;
}

/** Registry data from Sysmon's Details, as Elastic's pipeline decodes it. */
export function registryData(details: string): { strings: string[]; type: string } {
  const qword = /^QWORD \(((0x[0-9A-F]{8})-(0x[0-9A-F]{8}))\)$/i.exec(details);
  if (qword) {
    // Elastic combines the halves as (high << 8) + low, not << 32; kept for fidelity with the index.
    const high = BigInt(parseInt((qword[2] as string).slice(2), 16));
    const low = BigInt(parseInt((qword[3] as string).slice(2), 16));
    return { strings: [((high << 8n) + low).toString()], type: 'SZ_QWORD' };
  }
  const dword = /^DWORD \((0x[0-9A-F]{8})\)$/i.exec(details);
  if (dword) return { strings: [String(parseInt((dword[1] as string).slice(2), 16))], type: 'SZ_DWORD' };
  if (details === 'Binary Data') return { strings: [details], type: 'REG_BINARY' };
  return { strings: [details], type: 'REG_SZ' };
}

/** Sysmon's QueryResults (`type:  5 host;::ffff:1.2.3.4;`) → dns.answers, dns.resolved_ip, hosts. */
export function parseQueryResults(results: string): { answers: Array<Record<string, string>>; ips: string[]; hosts: string[] } {
  const answers: Array<Record<string, string>> = [];
  const ips: string[] = [];
  const hosts: string[] = [];
  for (const answer of results.split(';')) {
    if (answer === '') continue;
    if (answer.startsWith('type:')) {
      const parts = answer.split(/\s+/);
      // Java's Pattern.split drops trailing empty strings ("type:  33 " has no data).
      while (parts.length && parts[parts.length - 1] === '') parts.pop();
      const type = DNS_TYPES[parts[1] as string];
      if (parts.length === 3) {
        answers.push(type ? { type, data: parts[2] as string } : { data: parts[2] as string });
        hosts.push(parts[2] as string);
      } else if (type) {
        answers.push({ type });
      }
    } else {
      const ip = answer.replace(/^\[?::ffff:(\d+\.\d+\.\d+\.\d+)(?:\](?::\d+)?)?$/, '$1').trim();
      if (isIpLiteral(ip)) ips.push(ip);
    }
  }
  for (const ip of ips) answers.push({ type: ip.includes(':') ? 'AAAA' : 'A', data: ip });
  return { answers, ips, hosts };
}

function isIpLiteral(text: string): boolean {
  return /^\d{1,3}(\.\d{1,3}){3}$/.test(text) || (/^[0-9a-f:.]+$/i.test(text) && text.includes(':'));
}

/** `DOMAIN\name` → [domain, name] when there is exactly one backslash. */
function splitUser(user: string | undefined): [string, string] | undefined {
  if (!user) return undefined;
  const parts = user.split('\\');
  return parts.length === 2 ? [parts[0] as string, parts[1] as string] : undefined;
}

/** Epoch ms of Sysmon's `UtcTime` (`2020-09-20 21:09:08.008`), NaN when absent or malformed. */
export function sysmonUtcTime(text: string | undefined): number {
  return text ? parseWallClockAsUtc(text) : NaN;
}

export function normalizeSysmon(record: WindowsRecord): CanonicalEvent {
  const b = new DocBuilder();
  baseWindowsEvent(record, b);
  const eid = record.eventId;
  const d = cleanEventData(record.eventData);

  b.set('event.module', 'sysmon');
  b.set('event.dataset', 'windows.sysmon_operational');
  b.set('data_stream.dataset', 'windows.sysmon_operational');
  b.set('data_stream.type', 'logs');
  const utc = sysmonUtcTime(d.UtcTime);
  if (Number.isFinite(utc)) b.set('@timestamp', new Date(utc).toISOString());

  const cat = SYSMON_CATEGORIZATION[eid];
  if (cat) {
    b.set('event.category', cat.category ? [...cat.category] : undefined);
    b.set('event.type', [...cat.type]);
    b.set('event.action', cat.action);
    if (cat.outcome) b.set('event.outcome', [...cat.outcome]);
  }
  if (eid === 255) b.set('error.code', d.ID);
  b.set('rule.name', d.RuleName);
  if (eid === 25) b.set('message', d.Type);

  // Hashes (EID 15 writes Hash).
  const hashes = d.Hashes ?? d.Hash;
  let hashTarget: 'process' | 'file' | undefined;
  let parsedHashes: Record<string, string> | undefined;
  if (hashes) {
    parsedHashes = parseSysmonHashes(hashes);
    for (const h of Object.values(parsedHashes)) b.append('related.hash', h);
    hashTarget = PROCESS_HASH_EIDS.has(eid) ? 'process' : FILE_HASH_EIDS.has(eid) ? 'file' : undefined;
    if (hashTarget) {
      for (const [algo, value] of Object.entries(parsedHashes)) {
        b.set(algo === 'imphash' ? `${hashTarget}.pe.imphash` : `${hashTarget}.hash.${algo}`, value);
      }
    }
  }

  // Process fields; for EIDs 8 and 10 the Source* process is the event's process.
  b.set('process.entity_id', d.ProcessGuid);
  b.set('process.pid', toLong(d.ProcessId));
  b.set('process.executable', d.Image);
  if (d.SourceProcessGuid) b.set('process.entity_id', d.SourceProcessGuid);
  if (d.SourceProcessGUID) b.set('process.entity_id', d.SourceProcessGUID);
  if (d.SourceProcessId) b.set('process.pid', toLong(d.SourceProcessId));
  b.set('process.thread.id', toLong(d.SourceThreadId));
  if (d.SourceImage) b.set('process.executable', d.SourceImage);
  // Quirk kept from Elastic: a WMI consumer's Destination (EID 20) lands in process.executable.
  if (d.Destination) b.set('process.executable', d.Destination);
  b.set('process.command_line', d.CommandLine);
  b.set('process.working_directory', d.CurrentDirectory);
  b.set('process.parent.entity_id', d.ParentProcessGuid);
  b.set('process.parent.pid', toLong(d.ParentProcessId));
  b.set('process.parent.executable', d.ParentImage);
  b.set('process.parent.command_line', d.ParentCommandLine);
  const pe = eid === 7 ? 'file.pe' : 'process.pe';
  b.set(`${pe}.original_file_name`, d.OriginalFileName);
  b.set(`${pe}.company`, d.Company);
  b.set(`${pe}.description`, d.Description);
  b.set(`${pe}.file_version`, d.FileVersion);
  b.set(`${pe}.product`, d.Product);
  if (d.CommandLine) {
    const args = splitWindowsCommandLine(d.CommandLine);
    b.set('process.args', args);
    b.set('process.args_count', args.length);
  }
  if (d.ParentCommandLine) {
    const args = splitWindowsCommandLine(d.ParentCommandLine);
    b.set('process.parent.args', args);
    b.set('process.parent.args_count', args.length);
  }
  const executable = b.get('process.executable') as string | undefined;
  // "System" (PID 4) has no backslash: Elastic leaves process.name unset.
  if (executable && executable.length > 1) b.set('process.name', basenameWindows(executable));
  if (d.ParentImage && d.ParentImage.length > 1) b.set('process.parent.name', basenameWindows(d.ParentImage));

  // File fields.
  b.set('file.path', d.TargetFilename);
  if (d.Device) b.set('file.path', d.Device);
  b.set('file.name', d.PipeName);
  if (d.ImageLoaded) b.set('file.path', d.ImageLoaded);
  b.set('file.code_signature.subject_name', d.Signature);
  b.set('file.code_signature.status', d.SignatureStatus);
  // Elastic tests `Signed == true` against the string "true", so file.code_signature.signed is never set.
  if (d.SignatureStatus === 'Valid') b.set('file.code_signature.valid', true);
  const filePath = b.get('file.path') as string | undefined;
  if (filePath && filePath.length > 1) {
    const idx = filePath.lastIndexOf('\\');
    if (idx > -1) {
      b.set('file.name', filePath.slice(idx + 1));
      b.set('file.directory', filePath.slice(0, idx));
      const ext = filePath.lastIndexOf('.');
      if (ext > -1) b.set('file.extension', filePath.slice(ext + 1));
    }
  }

  // Network, source, destination.
  b.set('network.transport', d.Protocol);
  if (eid !== 22) b.set('network.protocol', d.DestinationPortName ?? d.SourcePortName);
  else b.set('network.protocol', 'dns');
  b.set('source.ip', d.SourceIp);
  b.set('source.domain', d.SourceHostname);
  b.set('source.port', toLong(d.SourcePort));
  b.set('destination.ip', d.DestinationIp);
  b.set('destination.domain', d.DestinationHostname);
  b.set('destination.port', toLong(d.DestinationPort));
  b.set('dns.question.name', d.QueryName);
  if (d.Initiated === 'true') b.set('network.direction', 'egress');
  else if (d.Initiated === 'false') b.set('network.direction', 'ingress');
  if (d.SourceIsIpv6 === 'false') b.set('network.type', 'ipv4');
  else if (d.SourceIsIpv6 === 'true') b.set('network.type', 'ipv6');
  if (d.QueryResults) {
    const { answers, ips, hosts } = parseQueryResults(d.QueryResults);
    b.set('dns.answers', answers);
    b.set('dns.resolved_ip', ips);
    for (const h of hosts) b.append('related.hosts', h);
  }
  if (d.QueryName) b.append('related.hosts', d.QueryName);
  for (const ip of (b.get('dns.resolved_ip') as string[] | undefined) ?? []) b.append('related.ip', ip);
  const community = communityId(
    b.get('source.ip') as string | undefined,
    b.get('destination.ip') as string | undefined,
    b.get('source.port') as number | undefined,
    b.get('destination.port') as number | undefined,
    b.get('network.transport') as string | undefined,
  );
  b.set('network.community_id', community);

  // User: user.id comes from the record's SID (base); domain and name from event_data User.
  const user = splitUser(d.User);
  if (user) {
    b.set('user.domain', user[0]);
    b.set('user.name', user[1]);
  }

  // Sysmon-specific.
  if (d.QueryStatus) b.set('sysmon.dns.status', DNS_STATUS[d.QueryStatus] ?? d.QueryStatus);
  if (d.Archived) b.set('sysmon.file.archived', d.Archived.toLowerCase() === 'true');
  if (d.IsExecutable) b.set('sysmon.file.is_executable', d.IsExecutable.toLowerCase() === 'true');

  // Related.
  b.append('related.user', b.get('user.name'));
  b.append('related.ip', b.get('source.ip'));
  b.append('related.ip', b.get('destination.ip'));

  // Registry (EIDs 12–14).
  if (d.TargetObject && (eid === 12 || eid === 13 || eid === 14)) {
    const tokens = d.TargetObject.split('\\');
    b.set('registry.path', d.TargetObject);
    const hive = HIVES[tokens[0] as string];
    if (hive) {
      b.set('registry.hive', hive);
      if (tokens.length > 1) b.set('registry.key', tokens.slice(1).join('\\'));
    }
    b.set('registry.value', tokens[tokens.length - 1]);
    if (d.Details) b.set('registry.data', registryData(d.Details));
  }

  // Elastic renames TargetProcessGuid to TargetProcessGUID; the raw value is kept as well.
  if (d.TargetProcessGuid) b.set('winlog.event_data.TargetProcessGUID', d.TargetProcessGuid);
  return b.doc;
}
