/**
 * Turns a Windows `<Event>` element tree into a `WindowsRecord`. Both the Splunk XML reader and the
 * EVTX reader call it, so the two sources agree by construction. Values are taken as Windows renders
 * them; the few canonicalizations below absorb differences between Windows versions and renderers
 * so that the same event always yields the same record.
 */
import type { WindowsRecord } from '../types.js';
import { attr, childElements, firstChild, localName, textOf, type XmlElement } from './tree.js';

const GUID = /^\{[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}\}$/;

/**
 * Windows 7 renders GUIDs in upper case, later versions (and some tools) in lower case; the record
 * contract says upper case.
 */
export function canonicalGuid(text: string): string {
  return text.length === 38 && GUID.test(text) ? text.toUpperCase() : text;
}

const CANONICAL_TIME = /^\d{4}-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12]\d|3[01])T(?:[01]\d|2[0-3]):[0-5]\d:[0-5]\d\.\d{7}Z$/;
const SYSTEM_TIME = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2}):(\d{2})(?:[.,](\d+))?\s*(Z|[+-]\d{2}:?\d{2})?$/;

/**
 * `SystemTime` as `YYYY-MM-DDTHH:MM:SS.fffffffZ`: UTC, 100-nanosecond digits (the FILETIME
 * resolution Windows 10 renders; Windows 7 writes nine digits, NXLog-style tools three). A time
 * without a zone is UTC, as the event schema defines `SystemTime`.
 */
export function canonicalSystemTime(text: string): string | undefined {
  if (CANONICAL_TIME.test(text)) return text;
  const m = SYSTEM_TIME.exec(text.trim());
  if (!m) return undefined;
  const fraction = ((m[7] ?? '') + '0000000').slice(0, 7);
  let ms = Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +m[6]!);
  const zone = m[8];
  if (zone && zone !== 'Z') {
    const digits = zone.replace(':', '');
    const minutes = +digits.slice(1, 3) * 60 + +digits.slice(3, 5);
    ms -= (digits[0] === '-' ? -1 : 1) * minutes * 60_000;
  }
  if (!Number.isFinite(ms)) return undefined;
  const iso = new Date(ms).toISOString();
  if (iso.length !== 24) return undefined; // years outside 0000-9999
  return `${iso.slice(0, 19)}.${fraction}Z`;
}

function integer(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const t = text.trim();
  if (/^\d+$/.test(t)) return Number(t);
  if (/^0x[0-9a-f]+$/i.test(t)) return parseInt(t, 16);
  return undefined;
}

function childText(parent: XmlElement, name: string): string | undefined {
  const el = firstChild(parent, name);
  return el ? textOf(el) : undefined;
}

/** `UserData` content: an element with only text becomes its text, others an object of children. */
function structured(el: XmlElement): unknown {
  const elements = childElements(el);
  const attributes = el.attrs.filter(([k]) => k !== 'xmlns' && !k.startsWith('xmlns:'));
  if (elements.length === 0 && attributes.length === 0) return canonicalGuid(textOf(el));
  const out: Record<string, unknown> = {};
  for (const [k, v] of attributes) define(out, `@${localName(k)}`, canonicalGuid(v));
  const repeated = new Set<string>();
  for (const child of elements) {
    const key = localName(child.name);
    const value = structured(child);
    if (!Object.hasOwn(out, key)) define(out, key, value);
    else if (repeated.has(key)) (out[key] as unknown[]).push(value);
    else {
      repeated.add(key);
      out[key] = [out[key], value];
    }
  }
  if (elements.length === 0) {
    const text = textOf(el);
    if (text) out['#text'] = canonicalGuid(text);
  }
  return out;
}

/** Sets an own property; a name such as `__proto__` stays an ordinary key. */
function define(out: Record<string, unknown>, key: string, value: unknown): void {
  if (key === '__proto__') Object.defineProperty(out, key, { value, enumerable: true, writable: true, configurable: true });
  else out[key] = value;
}

function eventDataOf(eventData: XmlElement): Record<string, string> {
  const out: Record<string, string> = {};
  let position = 0;
  for (const child of eventData.children) {
    if (typeof child === 'string') continue;
    const local = localName(child.name);
    let key = local;
    if (local === 'Data') {
      position++;
      const name = attr(child, 'Name');
      key = name !== undefined && name !== '' ? name : `param${position}`;
    }
    // A repeated name keeps its first value, as Winlogbeat does ("do not overwrite"). Other
    // elements (`Binary`, the hex of the event's binary data; rarer `ComplexData`) go by name.
    if (!Object.hasOwn(out, key)) define(out, key, canonicalGuid(textOf(child)));
  }
  return out;
}

/** The record, or a sentence saying why the element is not a Windows event. */
export function windowsRecordFromEvent(event: XmlElement): WindowsRecord | string {
  if (localName(event.name) !== 'Event') return `<${event.name}> is not an <Event>`;
  const system = firstChild(event, 'System');
  if (!system) return 'the <Event> has no <System> element';
  const eventIdText = childText(system, 'EventID');
  const eventId = integer(eventIdText);
  if (eventId === undefined) {
    return eventIdText === undefined ? '<System> has no <EventID>' : `<EventID> is not a number: ${JSON.stringify(eventIdText)}`;
  }
  const provider = firstChild(system, 'Provider');
  const record: WindowsRecord = {
    provider: (provider && (attr(provider, 'Name') ?? attr(provider, 'EventSourceName'))) ?? '',
    eventId,
    channel: childText(system, 'Channel') ?? '',
    computer: childText(system, 'Computer') ?? '',
    eventData: {},
  };
  const providerGuid = provider && attr(provider, 'Guid');
  if (providerGuid) record.providerGuid = canonicalGuid(providerGuid);
  const version = integer(childText(system, 'Version'));
  if (version !== undefined) record.version = version;
  const level = integer(childText(system, 'Level'));
  if (level !== undefined) record.level = level;
  const task = integer(childText(system, 'Task'));
  if (task !== undefined) record.task = task;
  const opcode = integer(childText(system, 'Opcode'));
  if (opcode !== undefined) record.opcode = opcode;
  const keywords = childText(system, 'Keywords');
  if (keywords) record.keywords = keywords.trim();
  const timeCreated = firstChild(system, 'TimeCreated');
  const systemTime = timeCreated && attr(timeCreated, 'SystemTime');
  const time = systemTime ? canonicalSystemTime(systemTime) : undefined;
  if (time) record.timeCreated = time;
  const recordId = integer(childText(system, 'EventRecordID'));
  if (recordId !== undefined) record.recordId = recordId;
  const correlation = firstChild(system, 'Correlation');
  const activityId = correlation && attr(correlation, 'ActivityID');
  if (activityId) record.activityId = canonicalGuid(activityId);
  const execution = firstChild(system, 'Execution');
  if (execution) {
    const processId = integer(attr(execution, 'ProcessID'));
    if (processId !== undefined) record.processId = processId;
    const threadId = integer(attr(execution, 'ThreadID'));
    if (threadId !== undefined) record.threadId = threadId;
  }
  const security = firstChild(system, 'Security');
  const userSid = security && attr(security, 'UserID');
  if (userSid) record.userSid = userSid;

  const eventData = firstChild(event, 'EventData');
  if (eventData) record.eventData = eventDataOf(eventData);
  const userData = firstChild(event, 'UserData');
  if (userData) {
    const root = childElements(userData)[0];
    if (root) record.userData = { [localName(root.name)]: structured(root) };
  }
  const rendering = firstChild(event, 'RenderingInfo');
  const message = rendering && childText(rendering, 'Message');
  if (message !== undefined && message !== '') record.message = message;
  return record;
}
