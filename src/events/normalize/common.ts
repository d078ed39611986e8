/**
 * What every Windows event gets, whatever its log source: the raw record under `winlog.*` (as
 * winlogbeat and Elastic Agent ship it), `event.*` basics, `host.*` from the computer that logged
 * the event, and `@timestamp`.
 */
import type { CanonicalEvent, WindowsRecord } from '../types.js';

/** Values Elastic's pipelines drop from event_data before mapping anything. */
export function isEmptyValue(v: string | undefined): v is undefined {
  return v === undefined || v === '' || v === '-' || v === '{00000000-0000-0000-0000-000000000000}';
}

/** EventData without the values Elastic drops (`""`, `-`, the all-zero GUID). */
export function cleanEventData(data: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const key of Object.keys(data)) {
    const v = data[key];
    if (!isEmptyValue(v)) out[key] = v;
  }
  return out;
}

/**
 * Dotted paths cut into their parts once: normalizers write the same hundred or so paths for every
 * event (77 writes per Sysmon event), and cutting each again cost most of the writing. The parts
 * are then the same string objects every time, which V8 looks up as property keys fastest. Paths
 * built from event data (EventData names) are bounded in number by `PATH_CACHE_LIMIT`.
 */
const pathCache = new Map<string, readonly string[]>();
const PATH_CACHE_LIMIT = 10_000;

function pathParts(path: string): readonly string[] {
  let parts = pathCache.get(path);
  if (parts === undefined) {
    parts = path.split('.');
    if (pathCache.size < PATH_CACHE_LIMIT) pathCache.set(path, parts);
  }
  return parts;
}

/** A nested-object builder that never writes undefined, null or empty-string leaves. */
export class DocBuilder {
  readonly doc: CanonicalEvent = {};

  set(path: string, value: unknown): void {
    if (value === undefined || value === null || value === '' || (typeof value === 'number' && Number.isNaN(value))) return;
    if (Array.isArray(value) && value.length === 0) return;
    const parts = pathParts(path);
    let node = this.doc as Record<string, unknown>;
    for (let i = 0; i < parts.length - 1; i++) {
      const key = parts[i] as string;
      let next = node[key];
      if (next === null || typeof next !== 'object' || Array.isArray(next)) {
        next = {};
        node[key] = next;
      }
      node = next as Record<string, unknown>;
    }
    node[parts[parts.length - 1] as string] = value;
  }

  get(path: string): unknown {
    let node: unknown = this.doc;
    for (const part of pathParts(path)) {
      if (node === null || typeof node !== 'object') return undefined;
      node = (node as Record<string, unknown>)[part];
    }
    return node;
  }

  has(path: string): boolean {
    return this.get(path) !== undefined;
  }

  /** Append to an array field, without duplicates (the pipelines' `allow_duplicates: false`). */
  append(path: string, value: unknown): void {
    if (value === undefined || value === null || value === '') return;
    const current = this.get(path);
    if (Array.isArray(current)) {
      if (!current.includes(value)) current.push(value);
    } else if (current === undefined) {
      this.set(path, [value]);
    } else if (current !== value) {
      this.set(path, [current, value]);
    }
  }
}

/** A decimal integer from event text (`"5985"`, `"0x3e4"`); undefined when it is not one. */
export function toLong(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const t = text.trim();
  if (/^-?\d+$/.test(t)) {
    const n = Number(t);
    return Number.isSafeInteger(n) ? n : undefined;
  }
  if (/^0x[0-9a-f]+$/i.test(t)) {
    const n = parseInt(t.slice(2), 16);
    return Number.isSafeInteger(n) ? n : undefined;
  }
  return undefined;
}

/** The short host name: the computer name up to its first dot, lower case. */
export function shortHostName(computer: string): string {
  const dot = computer.indexOf('.');
  return (dot > 0 ? computer.slice(0, dot) : computer).toLowerCase();
}

const LOG_LEVELS: Record<number, string> = { 0: 'information', 1: 'critical', 2: 'error', 3: 'warning', 4: 'information', 5: 'verbose' };

/**
 * The fields every Windows event carries. `host.*` is what the shipper on the logging computer
 * would report: Elastic Agent and winlogbeat 8 send the lower-case short host name as `host.name`.
 * With event forwarding the shipper runs on the collector, so like Elastic's own guidance the
 * harness takes the host from the record's Computer instead. `host.id` uses the same short name,
 * so an FQDN (`WORKSTATION6.theshire.local`) and a short name (`WORKSTATION6`, as in some
 * PowerShell events) join as one host in `sequence by host.id`.
 */
export function baseWindowsEvent(record: WindowsRecord, b: DocBuilder): void {
  b.set('ecs.version', '8.0.0');
  b.set('event.kind', 'event');
  b.set('event.code', String(record.eventId));
  b.set('event.provider', record.provider);
  if (record.timeCreated) b.set('event.created', record.timeCreated);
  if (record.level !== undefined) b.set('log.level', LOG_LEVELS[record.level]);

  if (record.computer) {
    const short = shortHostName(record.computer);
    b.set('host.name', short);
    b.set('host.hostname', short);
    b.set('host.id', short);
  }
  b.set('host.os.type', 'windows');
  b.set('host.os.family', 'windows');
  b.set('host.os.platform', 'windows');

  b.set('winlog.api', 'wineventlog');
  b.set('winlog.channel', record.channel);
  b.set('winlog.event_id', String(record.eventId));
  b.set('winlog.provider_name', record.provider);
  b.set('winlog.provider_guid', record.providerGuid);
  b.set('winlog.computer_name', record.computer);
  if (record.recordId !== undefined) b.set('winlog.record_id', String(record.recordId));
  if (record.version !== undefined) b.set('winlog.version', record.version);
  if (record.processId !== undefined) b.set('winlog.process.pid', record.processId);
  if (record.threadId !== undefined) b.set('winlog.process.thread.id', record.threadId);
  b.set('winlog.activity_id', record.activityId);
  b.set('winlog.user.identifier', record.userSid);
  if (record.opcode !== undefined) b.set('winlog.opcode', String(record.opcode));
  if (record.task !== undefined) b.set('winlog.task', String(record.task));
  b.set('winlog.keywords', keywordNames(record.keywords));
  const data = cleanEventData(record.eventData);
  if (Object.keys(data).length) b.set('winlog.event_data', data);
  if (record.userData && Object.keys(record.userData).length) b.set('winlog.user_data', record.userData);
  if (record.message) b.set('message', record.message);

  // user.id from the record's security SID, as the Windows integration does.
  b.set('user.id', record.userSid);
  if (record.timeCreated) b.set('@timestamp', record.timeCreated);
}

/** The Windows integration data set of a channel (`data_stream.dataset` / `event.dataset`). */
export function datasetOfChannel(channel: string): string | undefined {
  switch (channel.toLowerCase()) {
    case 'microsoft-windows-sysmon/operational':
      return 'windows.sysmon_operational';
    case 'security':
      return 'system.security';
    case 'system':
      return 'system.system';
    case 'application':
      return 'system.application';
    case 'windows powershell':
      return 'windows.powershell';
    case 'microsoft-windows-powershell/operational':
      return 'windows.powershell_operational';
    case 'forwardedevents':
      return 'windows.forwarded';
    default:
      return undefined;
  }
}

/** `name` after the last backslash, or undefined when the path has none (Elastic's getProcessName). */
export function basenameWindows(path: string | undefined): string | undefined {
  if (!path) return undefined;
  const idx = path.lastIndexOf('\\');
  if (idx < 0) return undefined;
  const name = path.slice(idx + 1);
  return name === '' ? undefined : name;
}

/** Standard keyword bits (winmeta.xml) with the names winlogbeat renders for them. */
const KEYWORD_BITS: Array<[bigint, string]> = [
  [0x0010000000000000n, 'Audit Failure'],
  [0x0020000000000000n, 'Audit Success'],
  [0x0040000000000000n, 'Correlation Hint'],
  [0x0080000000000000n, 'Classic'],
];

/** Names of the standard keywords set in a `0x…` mask (channel-specific bits have no name here). */
export function keywordNames(mask: string | undefined): string[] | undefined {
  if (!mask || !/^0x[0-9a-f]+$/i.test(mask)) return undefined;
  const bits = BigInt(mask);
  const names = KEYWORD_BITS.filter(([bit]) => (bits & bit) !== 0n).map(([, name]) => name);
  return names.length ? names : undefined;
}
