/**
 * The `logpoint` field view: LogPoint's normalized names for Windows events (`norm_id=WindowsSysmon`
 * for Sysmon, `WinServer` for the other Windows channels), as MITRE CAR's LogPoint implementations and
 * LogPoint's own Sigma backend write them: `event_id`, `image`, `parent_image`, `command`, … Names
 * whose meaning depends on the event (`image` is the process image of a process creation but the
 * loaded module of an image load) are resolved per event.
 */
import { fieldGetter } from '../fields.js';
import type { CanonicalEvent, FieldBinder, FieldBinding } from '../types.js';
import { ecsFieldType } from './ecs.js';

const channel = fieldGetter('winlog.channel');
const eventId = fieldGetter('winlog.event_id');
const SYSMON = 'Microsoft-Windows-Sysmon/Operational';

function sysmonId(doc: CanonicalEvent): number | undefined {
  if (channel(doc) !== SYSMON) return undefined;
  const id = Number(eventId(doc));
  return Number.isFinite(id) ? id : undefined;
}

/** LogPoint names whose value is a canonical field unchanged. */
export const LOGPOINT_TO_ECS: Readonly<Record<string, string>> = {
  event_id: 'winlog.event_id',
  host: 'winlog.computer_name',
  channel: 'winlog.channel',
  event_source: 'winlog.provider_name',
  record_id: 'winlog.record_id',
  user_id: 'winlog.user.identifier',
  parent_image: 'process.parent.executable',
  parent_process: 'process.parent.executable',
  command: 'process.command_line',
  parent_command: 'process.parent.command_line',
  process_id: 'process.pid',
  parent_process_id: 'process.parent.pid',
  process_guid: 'process.entity_id',
  parent_process_guid: 'process.parent.entity_id',
  integrity_level: 'winlog.event_data.IntegrityLevel',
  logon_id: 'winlog.event_data.LogonId',
  logon_guid: 'winlog.event_data.LogonGuid',
  session_id: 'winlog.event_data.TerminalSessionId',
  hash: 'winlog.event_data.Hashes',
  vendor: 'winlog.event_data.Company',
  application: 'winlog.event_data.Product',
  file_version: 'winlog.event_data.FileVersion',
  rule: 'rule.name',
  source_address: 'source.ip',
  source_port: 'source.port',
  source_host: 'source.domain',
  destination_address: 'destination.ip',
  destination_port: 'destination.port',
  destination_host: 'destination.domain',
  protocol: 'network.transport',
  target_file: 'file.path',
  target_object: 'registry.path',
  detail: 'winlog.event_data.Details',
  event_type: 'winlog.event_data.EventType',
  query: 'dns.question.name',
  source_image: 'process.executable',
  access: 'winlog.event_data.GrantedAccess',
};

interface Computed {
  path: string;
  get: (doc: CanonicalEvent) => unknown;
}

const processImage = fieldGetter('process.executable');
const loadedImage = fieldGetter('file.path');
const targetImage = fieldGetter('winlog.event_data.TargetImage');
const rawUser = fieldGetter('winlog.event_data.User');
const originalName = fieldGetter('process.pe.original_file_name');
const fileOriginalName = fieldGetter('file.pe.original_file_name');

const COMPUTED: Record<string, Computed> = {
  // LogPoint's normalizer id: WindowsSysmon for the Sysmon channel, WinServer for the Windows logs.
  norm_id: {
    path: 'winlog.channel',
    get: (doc) => {
      const c = channel(doc);
      if (typeof c !== 'string') return undefined;
      return c === SYSMON ? 'WindowsSysmon' : 'WinServer';
    },
  },
  // The process image, except where the event's subject is another image (loads, process access).
  image: {
    path: 'process.executable',
    get: (doc) => {
      const id = sysmonId(doc);
      if (id === 6 || id === 7) return loadedImage(doc);
      if (id === 8 || id === 10) return targetImage(doc);
      return processImage(doc);
    },
  },
  process: { path: 'process.executable', get: (doc) => processImage(doc) },
  user: { path: 'winlog.event_data.User', get: (doc) => rawUser(doc) },
  file: { path: 'process.pe.original_file_name', get: (doc) => (sysmonId(doc) === 7 ? fileOriginalName(doc) : originalName(doc)) },
};

export const logpointBinder: FieldBinder = {
  name: 'logpoint',
  bind(name: string): FieldBinding {
    const computed = COMPUTED[name];
    if (computed) return { path: computed.path, type: 'keyword', known: true, get: computed.get };
    const ecs = LOGPOINT_TO_ECS[name];
    if (ecs) return { path: ecs, type: ecsFieldType(ecs) ?? 'keyword', known: true };
    return { path: `logpoint.${name}`, type: 'keyword', known: false };
  },
};

/** Every name this view knows, for "did you mean" hints. */
export function logpointFieldNames(): string[] {
  return [...Object.keys(LOGPOINT_TO_ECS), ...Object.keys(COMPUTED)].sort();
}
