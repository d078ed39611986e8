/**
 * Time conversions for dataset formats that write local time without a zone (NXLog `EventTime`),
 * using the dataset descriptor's `timezone`: an IANA zone (`America/New_York`) or a fixed offset
 * (`-04:00`, `+0530`, `Z`, `UTC`).
 */

const FIXED_OFFSET = /^([+-])(\d{2}):?(\d{2})$/;

/** Whether `zone` is a fixed offset or an IANA zone this Node.js knows. */
export function isValidTimezone(zone: string): boolean {
  if (zone === 'Z' || zone === 'UTC' || FIXED_OFFSET.test(zone)) return true;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

const formatters = new Map<string, Intl.DateTimeFormat>();

/** Offset of `zone` from UTC, in milliseconds, at the instant `utcMs`. */
function zoneOffsetAt(zone: string, utcMs: number): number {
  let f = formatters.get(zone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone: zone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    formatters.set(zone, f);
  }
  const parts: Record<string, number> = {};
  for (const p of f.formatToParts(new Date(utcMs))) if (p.type !== 'literal') parts[p.type] = Number(p.value);
  const asUtc = Date.UTC(parts.year as number, (parts.month as number) - 1, parts.day, parts.hour, parts.minute, parts.second);
  return asUtc - Math.floor(utcMs / 1000) * 1000;
}

function fixedOffsetMs(zone: string): number | undefined {
  if (zone === 'Z' || zone === 'UTC') return 0;
  const m = FIXED_OFFSET.exec(zone);
  if (!m) return undefined;
  const ms = (Number(m[2]) * 60 + Number(m[3])) * 60_000;
  return m[1] === '-' ? -ms : ms;
}

const LOCAL_TIME = /^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2}):(\d{2})(?:[.,](\d{1,9}))?$/;

/** Epoch milliseconds of a wall-clock time `YYYY-MM-DD HH:MM:SS[.fff]` read as UTC; NaN if it is not one. */
export function parseWallClockAsUtc(text: string): number {
  const m = LOCAL_TIME.exec(text.trim());
  if (!m) return NaN;
  const ms = m[7] ? Number(m[7].slice(0, 3).padEnd(3, '0')) : 0;
  return Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6]), ms);
}

/**
 * Epoch milliseconds of a local wall-clock time in `zone`. In a DST gap or overlap the earlier
 * reading wins, as most log shippers do. NaN when the text is not a wall-clock time.
 */
export function localTimeToUtc(text: string, zone: string): number {
  const wall = parseWallClockAsUtc(text);
  if (Number.isNaN(wall)) return NaN;
  const fixed = fixedOffsetMs(zone);
  if (fixed !== undefined) return wall - fixed;
  // Two rounds: the offset at the guessed instant, then at the corrected one.
  const first = wall - zoneOffsetAt(zone, wall);
  const second = wall - zoneOffsetAt(zone, first);
  return second;
}

/** ISO 8601 UTC with milliseconds and `Z`; undefined for NaN. */
export function isoUtc(ms: number): string | undefined {
  return Number.isFinite(ms) ? new Date(ms).toISOString() : undefined;
}
