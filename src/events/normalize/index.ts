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

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/** `0`..`9` as a number, or NaN. */
function digit(s: string, i: number): number {
  const c = s.charCodeAt(i) - 48;
  return c >= 0 && c <= 9 ? c : NaN;
}

/**
 * The common shape, `2024-01-08T09:00:00.123Z` (what winlogbeat and Elastic Agent write), read
 * from its digits; NaN for any other shape, which `Date.parse` then reads. Several times faster
 * than `Date.parse`, and read once per event.
 */
export function parseIsoUtcMillis(s: string): number {
  if (s.length !== 24 || s.charCodeAt(4) !== 45 || s.charCodeAt(7) !== 45 || s.charCodeAt(10) !== 84 || s.charCodeAt(13) !== 58 || s.charCodeAt(16) !== 58 || s.charCodeAt(19) !== 46 || s.charCodeAt(23) !== 90) return NaN;
  const year = digit(s, 0) * 1000 + digit(s, 1) * 100 + digit(s, 2) * 10 + digit(s, 3);
  const month = digit(s, 5) * 10 + digit(s, 6);
  const day = digit(s, 8) * 10 + digit(s, 9);
  const hour = digit(s, 11) * 10 + digit(s, 12);
  const minute = digit(s, 14) * 10 + digit(s, 15);
  const second = digit(s, 17) * 10 + digit(s, 18);
  const ms = digit(s, 20) * 100 + digit(s, 21) * 10 + digit(s, 22);
  // Out-of-range fields (month 13, 25:00, April 31) and years below 100 (which Date.UTC reads as
  // 19xx) are left to Date.parse, which decides what they mean.
  if (!(year >= 100 && month >= 1 && month <= 12 && day >= 1 && hour <= 23 && minute <= 59 && second <= 59 && ms >= 0)) return NaN;
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  if (day > (month === 2 ? (leap ? 29 : 28) : DAYS_IN_MONTH[month - 1] as number)) return NaN;
  return daysSinceEpoch(year, month, day) * 86_400_000 + hour * 3_600_000 + minute * 60_000 + second * 1000 + ms;
}

/**
 * Days from 1970-01-01 to a proleptic Gregorian date (year ≥ 100), by counting whole 400-year eras
 * and days within the era with the year starting in March (so the leap day falls last). The same
 * value as `Date.UTC(...) / 86_400_000`, without the call, which was most of this function's cost.
 */
function daysSinceEpoch(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yearOfEra = y - era * 400;
  const dayOfYear = Math.floor((153 * ((month + 9) % 12) + 2) / 5) + day - 1;
  const dayOfEra = yearOfEra * 365 + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100) + dayOfYear;
  return era * 146_097 + dayOfEra - 719_468;
}

function parseTime(v: unknown): number {
  if (Array.isArray(v)) v = v[0];
  if (typeof v === 'number') return v;
  if (typeof v === 'string' && v !== '') {
    const fast = parseIsoUtcMillis(v);
    if (!Number.isNaN(fast)) return fast;
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
