/**
 * Normalization: raw records → canonical events (DESIGN.md, "Canonical event"). Windows records go
 * to the normalizer of their log source; ECS documents (winlogbeat / Elastic Agent output) are
 * canonical already and pass through.
 */
import type { CanonicalEvent, WindowsRecord } from '../types.js';
import type { RawRecord } from '../readers/types.js';
import { getField } from '../fields.js';
import { normalizeSysmon } from './sysmon.js';
import { normalizePowerShell } from './powershell.js';
import { normalizeSecurity, normalizeServiceInstall } from './security.js';
import { normalizeGenericWindows } from './windows.js';
import { normalizeWinRm } from './winrm.js';

export { normalizeSysmon } from './sysmon.js';
export { splitWindowsCommandLine } from './cmdline.js';

const SYSMON_CHANNEL = 'microsoft-windows-sysmon/operational';

export function normalizeWindowsRecord(record: WindowsRecord): CanonicalEvent {
  if (record.provider === 'Microsoft-Windows-Sysmon' || record.channel.toLowerCase() === SYSMON_CHANNEL) {
    return normalizeSysmon(record);
  }
  if (record.provider === 'Microsoft-Windows-Security-Auditing') return normalizeSecurity(record);
  if (record.provider === 'Service Control Manager' && record.eventId === 7045) return normalizeServiceInstall(record);
  const channel = record.channel.toLowerCase();
  if (channel === 'windows powershell' || channel === 'microsoft-windows-powershell/operational') return normalizePowerShell(record);
  if (channel === 'microsoft-windows-winrm/operational') return normalizeWinRm(record);
  return normalizeGenericWindows(record);
}

/** Fields that can stand in for a document's missing `@timestamp`, in order of preference. */
const TIME_FALLBACKS = ['event.created', 'winlog.time_created', 'timestamp', 'event.ingested'];

/**
 * An ECS document as written, with `@timestamp` ensured: taken from the first time-like field when
 * missing. Returns the time in epoch ms (NaN when the document has none).
 */
export function normalizeDocument(doc: Record<string, unknown>): { doc: CanonicalEvent; timestamp: number } {
  const ts = getField(doc, '@timestamp');
  const parsed = parseTime(ts);
  if (Number.isFinite(parsed)) return { doc, timestamp: parsed };
  for (const name of TIME_FALLBACKS) {
    const t = parseTime(getField(doc, name));
    if (Number.isFinite(t)) return { doc: { ...doc, '@timestamp': new Date(t).toISOString() }, timestamp: t };
  }
  return { doc, timestamp: NaN };
}

function parseTime(v: unknown): number {
  if (Array.isArray(v)) v = v[0];
  if (typeof v === 'number') return v;
  if (typeof v === 'string' && v !== '') {
    if (/^\d+$/.test(v)) return Number(v);
    return Date.parse(v);
  }
  return NaN;
}

/** The canonical event of a raw record and its time (epoch ms, NaN when unknown). */
export function normalizeRecord(raw: RawRecord): { doc: CanonicalEvent; timestamp: number } {
  if (raw.kind === 'document') return normalizeDocument(raw.doc);
  const doc = normalizeWindowsRecord(raw.record);
  const ts = doc['@timestamp'];
  return { doc, timestamp: typeof ts === 'string' ? Date.parse(ts) : NaN };
}
