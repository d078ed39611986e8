/**
 * The `endgame` field view: the legacy EQL schema (Endgame's, as the `eql` Python package and MITRE
 * CAR's "EQL native" implementations write it): flat names such as `process_name`,
 * `parent_process_name`, `command_line`, `unique_pid`, and `subtype`, the kind of event within its
 * category (`create`/`terminate` for processes), which CAR tests as `subtype.create`.
 */
import { fieldGetter } from '../fields.js';
import type { CanonicalEvent, FieldBinder, FieldBinding } from '../types.js';
import { ecsBinder, ecsFieldType } from './ecs.js';

/** Endgame names whose value is a canonical field unchanged. */
export const ENDGAME_TO_ECS: Readonly<Record<string, string>> = {
  process_name: 'process.name',
  process_path: 'process.executable',
  command_line: 'process.command_line',
  pid: 'process.pid',
  unique_pid: 'process.entity_id',
  parent_process_name: 'process.parent.name',
  parent_process_path: 'process.parent.executable',
  ppid: 'process.parent.pid',
  unique_ppid: 'process.parent.entity_id',
  user_name: 'user.name',
  user_domain: 'user.domain',
  user_sid: 'user.id',
  hostname: 'host.name',
  md5: 'process.hash.md5',
  sha1: 'process.hash.sha1',
  sha256: 'process.hash.sha256',
  original_file_name: 'process.pe.original_file_name',
  integrity_level: 'winlog.event_data.IntegrityLevel',
  file_name: 'file.name',
  file_path: 'file.path',
  registry_path: 'registry.path',
  registry_key: 'registry.key',
  registry_value: 'registry.value',
  destination_address: 'destination.ip',
  destination_port: 'destination.port',
  source_address: 'source.ip',
  source_port: 'source.port',
  protocol: 'network.transport',
  query_name: 'dns.question.name',
  image_path: 'file.path',
  image_name: 'file.name',
  opcode: 'winlog.opcode',
};

const eventType = fieldGetter('event.type');
const category = fieldGetter('event.category');
const direction = fieldGetter('network.direction');

const has = (raw: unknown, value: string): boolean => (Array.isArray(raw) ? raw.includes(value) : raw === value);

/** `subtype` as the legacy schema has it, from the canonical event's type and direction. */
function subtypeOf(doc: CanonicalEvent): string | undefined {
  const type = eventType(doc);
  const cat = category(doc);
  if (has(cat, 'network')) {
    const d = direction(doc);
    return d === 'ingress' ? 'incoming' : d === 'egress' ? 'outgoing' : undefined;
  }
  if (has(type, 'start') || has(type, 'creation')) return 'create';
  if (has(type, 'end') || has(type, 'deletion')) return has(cat, 'process') ? 'terminate' : 'delete';
  if (has(type, 'change')) return 'modify';
  return undefined;
}

const COMPUTED: Record<string, { path: string; get: (doc: CanonicalEvent) => unknown; type: 'keyword' | 'boolean' }> = {
  subtype: { path: 'event.type', get: subtypeOf, type: 'keyword' },
  'subtype.create': { path: 'event.type', get: (d) => subtypeOf(d) === 'create', type: 'boolean' },
  'subtype.terminate': { path: 'event.type', get: (d) => subtypeOf(d) === 'terminate', type: 'boolean' },
  'subtype.delete': { path: 'event.type', get: (d) => subtypeOf(d) === 'delete', type: 'boolean' },
  'subtype.modify': { path: 'event.type', get: (d) => subtypeOf(d) === 'modify', type: 'boolean' },
  'subtype.incoming': { path: 'network.direction', get: (d) => subtypeOf(d) === 'incoming', type: 'boolean' },
  'subtype.outgoing': { path: 'network.direction', get: (d) => subtypeOf(d) === 'outgoing', type: 'boolean' },
  event_type_full: {
    path: 'event.category',
    get: (d) => {
      const c = category(d);
      const first = Array.isArray(c) ? c[c.length - 1] : c;
      return typeof first === 'string' ? `${first}_event` : undefined;
    },
    type: 'keyword',
  },
};

export const endgameBinder: FieldBinder = {
  name: 'endgame',
  bind(name: string): FieldBinding {
    const computed = COMPUTED[name];
    if (computed) return { path: computed.path, type: computed.type, known: true, get: computed.get };
    const ecs = ENDGAME_TO_ECS[name];
    if (ecs) return { path: ecs, type: ecsFieldType(ecs) ?? 'keyword', known: true };
    // Canonical names (the category field, `winlog.*`) still bind as themselves.
    return ecsBinder.bind(name);
  },
};

/** Every name this view knows, for "did you mean" hints. */
export function endgameFieldNames(): string[] {
  return [...Object.keys(ENDGAME_TO_ECS), ...Object.keys(COMPUTED)].sort();
}
