/**
 * The `sysmon` field view: rules written with Sysmon/Windows EventData names (`Image`,
 * `ParentImage`, `CommandLine`, `DestinationPort`, …). A name binds to the ECS field the Sysmon
 * normalizer fills with the same value (so ports compare as numbers and IPs as addresses), and to
 * `winlog.event_data.<Name>` where the ECS field would not be a faithful copy (for example `User`,
 * which Elastic splits into domain and name, or `Company`, which goes to `process.pe` or `file.pe`
 * depending on the event ID).
 */
import type { FieldBinder, FieldBinding } from '../types.js';
import { ecsBinder, ecsFieldType } from './ecs.js';

/** Sysmon/Windows names whose value the normalizer copies unchanged into an ECS field. */
export const SYSMON_TO_ECS: Readonly<Record<string, string>> = {
  // Process fields (EIDs 1, 5, 3, 7, 11, 12–14, 22, …)
  Image: 'process.executable',
  CommandLine: 'process.command_line',
  CurrentDirectory: 'process.working_directory',
  ProcessId: 'process.pid',
  ProcessGuid: 'process.entity_id',
  ParentImage: 'process.parent.executable',
  ParentCommandLine: 'process.parent.command_line',
  ParentProcessId: 'process.parent.pid',
  ParentProcessGuid: 'process.parent.entity_id',
  // EIDs 8 and 10: the source process is the event's process
  SourceImage: 'process.executable',
  SourceProcessId: 'process.pid',
  SourceProcessGuid: 'process.entity_id',
  SourceProcessGUID: 'process.entity_id',
  SourceThreadId: 'process.thread.id',
  // EID 3
  SourceIp: 'source.ip',
  SourcePort: 'source.port',
  SourceHostname: 'source.domain',
  DestinationIp: 'destination.ip',
  DestinationPort: 'destination.port',
  DestinationHostname: 'destination.domain',
  Protocol: 'network.transport',
  // Files, registry, DNS, pipes
  TargetFilename: 'file.path',
  ImageLoaded: 'file.path',
  Device: 'file.path',
  PipeName: 'file.name',
  TargetObject: 'registry.path',
  QueryName: 'dns.question.name',
  RuleName: 'rule.name',
  // The record's System element
  EventID: 'winlog.event_id',
  Channel: 'winlog.channel',
  Computer: 'winlog.computer_name',
  Provider_Name: 'winlog.provider_name',
  EventRecordID: 'winlog.record_id',
};

const LOWER_INDEX = new Map(Object.keys(SYSMON_TO_ECS).map((k) => [k.toLowerCase(), k]));

/** Names that are EventData values: one word, no dots (`Image`, `GrantedAccess`, `param1`). */
const EVENT_DATA_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

export const sysmonBinder: FieldBinder = {
  name: 'sysmon',
  bind(name: string): FieldBinding {
    const exact = SYSMON_TO_ECS[name] ?? (LOWER_INDEX.has(name.toLowerCase()) ? SYSMON_TO_ECS[LOWER_INDEX.get(name.toLowerCase()) as string] : undefined);
    if (exact) return { path: exact, type: ecsFieldType(exact) ?? 'keyword', known: true };
    if (EVENT_DATA_NAME.test(name)) {
      // Every Sysmon EventData value is kept raw under winlog.event_data; a name outside the
      // Sysmon schema binds there too, but is reported as unknown.
      return { path: `winlog.event_data.${name}`, type: 'keyword', known: SYSMON_EVENT_DATA.has(name) };
    }
    // Dotted names are canonical names written directly.
    return ecsBinder.bind(name);
  },
};

/** EventData names of the Sysmon schema (all event IDs) that stay under winlog.event_data. */
const SYSMON_EVENT_DATA = new Set<string>([
  'UtcTime', 'User', 'ParentUser', 'LogonGuid', 'LogonId', 'TerminalSessionId', 'IntegrityLevel', 'Hashes', 'Hash',
  'FileVersion', 'Description', 'Product', 'Company', 'OriginalFileName', 'Signed', 'Signature', 'SignatureStatus',
  'Initiated', 'SourceIsIpv6', 'DestinationIsIpv6', 'SourcePortName', 'DestinationPortName', 'CreationUtcTime',
  'PreviousCreationUtcTime', 'State', 'Version', 'SchemaVersion', 'Configuration', 'ConfigurationFileHash',
  'TargetProcessGuid', 'TargetProcessGUID', 'TargetProcessId', 'TargetImage', 'NewThreadId', 'StartAddress',
  'StartModule', 'StartFunction', 'GrantedAccess', 'CallTrace', 'SourceUser', 'TargetUser', 'EventType', 'Details',
  'NewName', 'Contents', 'Operation', 'EventNamespace', 'Name', 'Query', 'Type', 'Destination', 'Consumer', 'Filter',
  'QueryStatus', 'QueryResults', 'IsExecutable', 'Archived', 'Session', 'ClientInfo', 'ID',
]);

/** Every EventData name of the Sysmon schema this view knows. */
export function isSysmonFieldName(name: string): boolean {
  return SYSMON_EVENT_DATA.has(name) || Object.prototype.hasOwnProperty.call(SYSMON_TO_ECS, name);
}
