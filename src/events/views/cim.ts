/**
 * The `cim` field view: Splunk's Common Information Model as Splunk's Windows and Sysmon add-ons
 * fill it from Windows event logs, bound to the canonical (ECS-shaped) event.
 *
 * Two shapes of name are bound:
 *  - data-model names as `tstats` writes them, `<Dataset>.<field>` (`Processes.process_name`,
 *    `Filesystem.file_path`, `Registry.registry_path`, `All_Traffic.dest_port`), for the datasets
 *    of the Endpoint data model (Processes, Filesystem, Registry) and Network_Traffic (All_Traffic);
 *  - the names a raw Splunk search sees on an event: the CIM aliases without a dataset prefix
 *    (`process_name`, `dest`), every Windows EventData name as written (`Image`, `CommandLine`),
 *    and the System fields Splunk extracts from XmlWinEventLog (`EventCode`, `Computer`, `Channel`).
 *
 * Where CIM derives a value (`process_name` is the basename of `Image`, `user` is `DOMAIN\name`,
 * `action` and `vendor_product` are constants), the canonical field holding the same value is used,
 * or a small computation over the event. Field names are case-sensitive, as in Splunk.
 */
import { fieldGetter } from '../fields.js';
import type { CanonicalEvent, FieldBinder, FieldBinding, FieldType } from '../types.js';
import { ecsBinder, ecsFieldType } from './ecs.js';
import { SYSMON_TO_ECS, isSysmonFieldName } from './sysmon.js';

/** A value as a Splunk search sees it: a string or number, a multivalue, or null when absent. */
export type CimValue = string | number | boolean | null | Array<string | number>;

export interface CimField {
  /** The canonical field holding the value (or the closest one, for computed values). */
  path: string;
  /** Reads the value from a canonical event. */
  get: (doc: CanonicalEvent) => CimValue;
}

export type CimDataset = 'Processes' | 'Filesystem' | 'Registry' | 'All_Traffic';

export interface CimDatasetSpec {
  /** Data model and dataset as `tstats … from datamodel=` names them. */
  datamodel: string;
  dataset: CimDataset;
  /** Which canonical events the dataset holds (the data model's constraint: tags process+report, …). */
  constraint: (doc: CanonicalEvent) => boolean;
  /** Text shown when explaining why an event is not in the dataset. */
  constraintText: string;
  fields: Record<string, CimField>;
}

function scalarOf(v: unknown): CimValue {
  if (v === undefined || v === null) return null;
  if (typeof v === 'string' || typeof v === 'number') return v;
  if (typeof v === 'boolean') return String(v);
  if (Array.isArray(v)) {
    const out: Array<string | number> = [];
    for (const x of v) if (typeof x === 'string' || typeof x === 'number') out.push(x);
    else if (typeof x === 'boolean') out.push(String(x));
    return out.length === 0 ? null : out.length === 1 ? (out[0] as string | number) : out;
  }
  return null;
}

function direct(path: string): CimField {
  const g = fieldGetter(path);
  return { path, get: (doc) => scalarOf(g(doc)) };
}

function computed(path: string, get: (doc: CanonicalEvent) => CimValue): CimField {
  return { path, get };
}

const has = (doc: CanonicalEvent, path: string, value: string): boolean => {
  const v = fieldGetter(path)(doc);
  return Array.isArray(v) ? v.includes(value) : v === value;
};

const eventData = (name: string) => fieldGetter(`winlog.event_data.${name}`);
const rawUser = eventData('User');
const userDomain = fieldGetter('user.domain');
const userName = fieldGetter('user.name');
const computerName = fieldGetter('winlog.computer_name');
const hostName = fieldGetter('host.name');
const providerName = fieldGetter('winlog.provider_name');
const eventCode = fieldGetter('winlog.event_id');
const channel = fieldGetter('winlog.channel');

/** `DOMAIN\name` as the add-ons write `user`: Sysmon's User as written, else domain and name joined. */
const user = computed('winlog.event_data.User', (doc) => {
  const raw = rawUser(doc);
  if (typeof raw === 'string' && raw !== '') return raw;
  const name = userName(doc);
  if (typeof name !== 'string') return null;
  const domain = userDomain(doc);
  return typeof domain === 'string' && domain !== '' ? `${domain}\\${name}` : name;
});

/** The endpoint the event happened on: the record's Computer (an FQDN for Sysmon), not Splunk's `host`. */
const dest = computed('winlog.computer_name', (doc) => scalarOf(computerName(doc) ?? hostName(doc)));

const vendorProduct = computed('winlog.provider_name', (doc) => {
  const p = providerName(doc);
  if (typeof p !== 'string') return null;
  return p === 'Microsoft-Windows-Sysmon' ? 'Microsoft Sysmon' : 'Microsoft Windows';
});

const constant = (path: string, value: string) => computed(path, () => value);

/** Enterprise Security fills these from its asset and identity lookups; replayed data has none. */
const ASSET_FIELDS = [
  'dest_bunit', 'dest_category', 'dest_priority', 'dest_is_expected', 'dest_requires_av', 'dest_should_timesync',
  'dest_should_update', 'user_bunit', 'user_category', 'user_priority',
];
const nothing = computed('winlog.event_data', () => null);

function withAssets(fields: Record<string, CimField>): Record<string, CimField> {
  for (const name of ASSET_FIELDS) fields[name] = nothing;
  return fields;
}

const PROCESS_FIELDS: Record<string, CimField> = withAssets({
  action: constant('event.type', 'allowed'),
  dest,
  user,
  user_id: direct('user.id'),
  process: direct('process.command_line'),
  process_name: direct('process.name'),
  process_exec: direct('process.name'),
  process_path: direct('process.executable'),
  process_id: direct('process.pid'),
  process_guid: direct('process.entity_id'),
  process_hash: direct('winlog.event_data.Hashes'),
  process_integrity_level: direct('winlog.event_data.IntegrityLevel'),
  process_current_directory: direct('process.working_directory'),
  original_file_name: direct('process.pe.original_file_name'),
  parent_process: direct('process.parent.command_line'),
  parent_process_name: direct('process.parent.name'),
  parent_process_exec: direct('process.parent.name'),
  parent_process_path: direct('process.parent.executable'),
  parent_process_id: direct('process.parent.pid'),
  parent_process_guid: direct('process.parent.entity_id'),
  os: constant('host.os.type', 'Microsoft Windows'),
  vendor_product: vendorProduct,
  cpu_load_percent: nothing,
  mem_used: nothing,
});

const fileAction = computed('event.type', (doc) =>
  has(doc, 'event.type', 'deletion') ? 'deleted' : has(doc, 'event.type', 'creation') ? 'created' : 'modified',
);

const FILESYSTEM_FIELDS: Record<string, CimField> = withAssets({
  action: fileAction,
  dest,
  user,
  file_path: direct('file.path'),
  file_name: direct('file.name'),
  file_create_time: direct('winlog.event_data.CreationUtcTime'),
  file_hash: direct('winlog.event_data.Hashes'),
  process_guid: direct('process.entity_id'),
  process_id: direct('process.pid'),
  process_path: direct('process.executable'),
  process_name: direct('process.name'),
  vendor_product: vendorProduct,
});

const registryKeyName = computed('registry.path', (doc) => {
  const v = fieldGetter('registry.path')(doc);
  if (typeof v !== 'string') return null;
  const i = v.lastIndexOf('\\');
  return i < 0 ? v : v.slice(0, i);
});

const registryAction = computed('winlog.event_data.EventType', (doc) => {
  const t = eventData('EventType')(doc);
  if (t === 'DeleteKey' || t === 'DeleteValue') return 'deleted';
  if (t === 'CreateKey') return 'created';
  return 'modified';
});

const REGISTRY_FIELDS: Record<string, CimField> = withAssets({
  action: registryAction,
  dest,
  user,
  process_guid: direct('process.entity_id'),
  process_id: direct('process.pid'),
  process_path: direct('process.executable'),
  process_name: direct('process.name'),
  registry_path: direct('registry.path'),
  registry_key_name: registryKeyName,
  registry_value_name: direct('registry.value'),
  registry_value_data: direct('winlog.event_data.Details'),
  registry_value_type: computed('registry.data.type', (doc) => scalarOf(fieldGetter('registry.data.type')(doc))),
  registry_hive: direct('registry.hive'),
  vendor_product: vendorProduct,
});

const networkDirection = computed('network.direction', (doc) => {
  const d = fieldGetter('network.direction')(doc);
  return d === 'ingress' ? 'inbound' : d === 'egress' ? 'outbound' : null;
});

const TRAFFIC_FIELDS: Record<string, CimField> = withAssets({
  action: constant('event.type', 'allowed'),
  app: direct('process.executable'),
  dest: computed('destination.ip', (doc) => scalarOf(fieldGetter('destination.domain')(doc) ?? fieldGetter('destination.ip')(doc))),
  dest_ip: direct('destination.ip'),
  dest_port: direct('destination.port'),
  src: computed('source.ip', (doc) => scalarOf(fieldGetter('source.domain')(doc) ?? fieldGetter('source.ip')(doc))),
  src_ip: direct('source.ip'),
  src_port: direct('source.port'),
  transport: direct('network.transport'),
  protocol: constant('network.type', 'ip'),
  direction: networkDirection,
  process_id: direct('process.pid'),
  process_guid: direct('process.entity_id'),
  process_name: direct('process.name'),
  user,
  vendor_product: vendorProduct,
  dvc: dest,
});

export const CIM_DATASETS: Readonly<Record<CimDataset, CimDatasetSpec>> = {
  Processes: {
    datamodel: 'Endpoint',
    dataset: 'Processes',
    constraint: (doc) => has(doc, 'event.category', 'process') && has(doc, 'event.type', 'start'),
    constraintText: 'datamodel=Endpoint.Processes (process start events)',
    fields: PROCESS_FIELDS,
  },
  Filesystem: {
    datamodel: 'Endpoint',
    dataset: 'Filesystem',
    constraint: (doc) => has(doc, 'event.category', 'file') && fieldGetter('file.path')(doc) !== undefined,
    constraintText: 'datamodel=Endpoint.Filesystem (file events)',
    fields: FILESYSTEM_FIELDS,
  },
  Registry: {
    datamodel: 'Endpoint',
    dataset: 'Registry',
    constraint: (doc) => has(doc, 'event.category', 'registry'),
    constraintText: 'datamodel=Endpoint.Registry (registry events)',
    fields: REGISTRY_FIELDS,
  },
  All_Traffic: {
    datamodel: 'Network_Traffic',
    dataset: 'All_Traffic',
    constraint: (doc) =>
      has(doc, 'event.category', 'network') && fieldGetter('destination.ip')(doc) !== undefined && fieldGetter('dns.question.name')(doc) === undefined,
    constraintText: 'datamodel=Network_Traffic.All_Traffic (network connections)',
    fields: TRAFFIC_FIELDS,
  },
};

/** `Endpoint.Processes`, `Network_Traffic`, `Network_Traffic.All_Traffic` → the dataset; undefined when not supported. */
export function cimDatasetOf(datamodel: string): CimDatasetSpec | undefined {
  const [model, node] = datamodel.split('.', 2) as [string, string | undefined];
  if (model === 'Endpoint') {
    if (node === 'Processes' || node === 'Filesystem' || node === 'Registry') return CIM_DATASETS[node];
    return undefined;
  }
  if (model === 'Network_Traffic' && (node === undefined || node === 'All_Traffic')) return CIM_DATASETS.All_Traffic;
  return undefined;
}

/** Which dataset an event belongs to, for the unprefixed CIM aliases a raw search sees. */
function datasetOfEvent(doc: CanonicalEvent): CimDatasetSpec | undefined {
  for (const spec of Object.values(CIM_DATASETS)) if (spec.constraint(doc)) return spec;
  return undefined;
}

/** Every unprefixed CIM name of every dataset, with the datasets that define it. */
const ALIAS_DATASETS = new Map<string, CimDatasetSpec[]>();
for (const spec of Object.values(CIM_DATASETS)) {
  for (const name of Object.keys(spec.fields)) ALIAS_DATASETS.set(name, [...(ALIAS_DATASETS.get(name) ?? []), spec]);
}

/** System fields Splunk's Windows add-on extracts from an XmlWinEventLog event. */
const SYSTEM_FIELDS: Record<string, CimField> = {
  EventCode: computed('winlog.event_id', (doc) => scalarOf(eventCode(doc))),
  EventID: computed('winlog.event_id', (doc) => scalarOf(eventCode(doc))),
  signature_id: computed('winlog.event_id', (doc) => scalarOf(eventCode(doc))),
  Computer: direct('winlog.computer_name'),
  ComputerName: direct('winlog.computer_name'),
  Channel: direct('winlog.channel'),
  LogName: direct('winlog.channel'),
  EventRecordID: direct('winlog.record_id'),
  RecordNumber: direct('winlog.record_id'),
  Provider_Name: direct('winlog.provider_name'),
  SourceName: direct('winlog.provider_name'),
  UserID: direct('winlog.user.identifier'),
  host: direct('host.name'),
  source: computed('winlog.channel', (doc) => {
    const c = channel(doc);
    return typeof c === 'string' ? `XmlWinEventLog:${c}` : null;
  }),
  sourcetype: computed('winlog.channel', (doc) => (typeof channel(doc) === 'string' ? 'XmlWinEventLog' : null)),
  eventtype: computed('winlog.channel', (doc) => {
    const c = channel(doc);
    if (typeof c !== 'string') return null;
    if (c.toLowerCase() === 'security') return 'wineventlog_security';
    if (c.toLowerCase() === 'system') return 'wineventlog_system';
    if (c === 'Microsoft-Windows-Sysmon/Operational') {
      const spec = datasetOfEvent(doc);
      return spec?.dataset === 'Processes' ? 'ms-sysmon-process' : 'ms_sysmon';
    }
    return null;
  }),
};

/** `record[key]` for own keys only: a field named `constructor` or `__proto__` is not Object's. */
function own<T>(record: Readonly<Record<string, T>>, key: string): T | undefined {
  return Object.prototype.hasOwnProperty.call(record, key) ? record[key] : undefined;
}

/**
 * A field a raw Splunk search reads by name: a System field, a Windows EventData value as written,
 * or an unprefixed CIM alias (resolved against the dataset the event belongs to). Undefined when
 * the name is none of those.
 */
export function rawEventField(name: string): CimField | undefined {
  const sys = own(SYSTEM_FIELDS, name);
  if (sys) return sys;
  const aliasSpecs = ALIAS_DATASETS.get(name);
  const data = /^[A-Za-z_][A-Za-z0-9_]*$/.test(name) ? eventData(name) : undefined;
  if (aliasSpecs) {
    const first = aliasSpecs[0] as CimDatasetSpec;
    return computed(own(first.fields, name)?.path ?? `winlog.event_data.${name}`, (doc) => {
      if (data) {
        const raw = data(doc);
        if (raw !== undefined) return scalarOf(raw);
      }
      const spec = datasetOfEvent(doc);
      const field = (spec && own(spec.fields, name)) ?? own(first.fields, name);
      return field ? field.get(doc) : null;
    });
  }
  if (data && (isSysmonFieldName(name) || KNOWN_EVENT_DATA.has(name))) return direct(`winlog.event_data.${name}`);
  return undefined;
}

/** Unprefixed names a raw search may read whose value an event has, for wildcard `rename`/`table`. */
export function rawEventFieldNames(doc: CanonicalEvent): string[] {
  const names = new Set<string>();
  const data = fieldGetter('winlog.event_data')(doc);
  if (data && typeof data === 'object' && !Array.isArray(data)) for (const k of Object.keys(data)) names.add(k);
  for (const name of Object.keys(SYSTEM_FIELDS)) if ((SYSTEM_FIELDS[name] as CimField).get(doc) !== null) names.add(name);
  const spec = datasetOfEvent(doc);
  if (spec) for (const [name, f] of Object.entries(spec.fields)) if (f.get(doc) !== null) names.add(name);
  return [...names].sort();
}

/** EventData names of the Windows Security channel and PowerShell logs that security content reads. */
const KNOWN_EVENT_DATA = new Set<string>([
  'SubjectUserSid', 'SubjectUserName', 'SubjectDomainName', 'SubjectLogonId', 'TargetUserSid', 'TargetUserName',
  'TargetDomainName', 'TargetLogonId', 'LogonType', 'LogonProcessName', 'AuthenticationPackageName', 'WorkstationName',
  'IpAddress', 'IpPort', 'NewProcessId', 'NewProcessName', 'TokenElevationType', 'ProcessId', 'ProcessName',
  'CommandLine', 'ParentProcessName', 'MandatoryLabel', 'ServiceName', 'ImagePath', 'ServiceType', 'StartType',
  'AccountName', 'ScriptBlockText', 'ScriptBlockId', 'Path', 'MessageNumber', 'MessageTotal', 'ObjectName',
  'ObjectType', 'AccessMask', 'AccessList', 'ShareName', 'RelativeTargetName', 'Status', 'FailureReason',
  'TicketOptions', 'TicketEncryptionType', 'ServiceSid', 'PreAuthType', 'AttributeLDAPDisplayName', 'AttributeValue',
  'ObjectDN', 'ObjectClass', 'OperationType', 'PrivilegeList', 'Properties', 'CallerProcessName', 'CallerProcessId',
]);

/** A data-model field as written in `tstats` (`Processes.process_name`); undefined when not a CIM field. */
export function datamodelField(name: string): { spec: CimDatasetSpec; field: CimField } | undefined {
  const dot = name.indexOf('.');
  if (dot < 0) return undefined;
  const dataset = name.slice(0, dot) as CimDataset;
  const spec = CIM_DATASETS[dataset];
  if (!spec || !Object.prototype.hasOwnProperty.call(CIM_DATASETS, dataset)) return undefined;
  const field = own(spec.fields, name.slice(dot + 1));
  return field ? { spec, field } : undefined;
}

function typeOf(path: string): FieldType {
  return ecsFieldType(path) ?? 'keyword';
}

export const cimBinder: FieldBinder = {
  name: 'cim',
  bind(name: string): FieldBinding {
    const dm = datamodelField(name);
    if (dm) return { path: dm.field.path, type: typeOf(dm.field.path), known: true };
    const raw = rawEventField(name);
    if (raw) return { path: raw.path, type: typeOf(raw.path), known: true };
    const ecs = own(SYSMON_TO_ECS, name);
    if (ecs) return { path: ecs, type: typeOf(ecs), known: true };
    if (name === '_time') return { path: '@timestamp', type: 'date', known: true };
    if (/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) return { path: `winlog.event_data.${name}`, type: 'keyword', known: false };
    return ecsBinder.bind(name);
  },
};

/** Every CIM name this view knows (data-model and unprefixed), sorted, for "did you mean" hints. */
export function cimFieldNames(): string[] {
  const names = new Set<string>(Object.keys(SYSTEM_FIELDS));
  for (const spec of Object.values(CIM_DATASETS)) {
    for (const f of Object.keys(spec.fields)) {
      names.add(`${spec.dataset}.${f}`);
      names.add(f);
    }
  }
  return [...names].sort();
}
