/**
 * OTRF Security-Datasets JSON lines: NXLog `im_msvistalog` output passed through Logstash, one
 * Windows event per line with the EventData values flat at the top level beside NXLog's own
 * metadata (datasets/otrf-security-datasets/README.md). Each line becomes a `WindowsRecord`, the
 * same record an EVTX or XML reader would give for the event, as far as NXLog kept it.
 */
import type { WindowsRecord } from '../types.js';
import { isSysmonFieldName } from '../views/sysmon.js';
import { isoUtc, localTimeToUtc } from '../time.js';
import { canonicalGuid } from '../xml/windows-event.js';
import { readRawLineBatches } from '../../util/raw-lines.js';
import { overlongLineReporter, parseJsonObjectLine } from './lines.js';
import type { RawRecord, ReaderOptions } from './types.js';

/**
 * Keys NXLog or Logstash add around the event: never EventData. `Version`, `EventType` and
 * `ProcessID` are handled apart because an event's own EventData can use the same names.
 */
const METADATA_KEYS = new Set([
  'EventTime', 'EventReceivedTime', 'Hostname', 'Keywords', 'SeverityValue', 'Severity', 'EventID',
  'SourceName', 'ProviderGuid', 'Task', 'OpcodeValue', 'Opcode', 'RecordNumber', 'ActivityID',
  'RelatedActivityID', 'ExecutionProcessID', 'ThreadID', 'Channel', 'Domain', 'AccountName', 'UserID',
  'AccountType', 'Category', 'Message', 'SourceModuleName', 'SourceModuleType', 'ERROR_EVT_UNRESOLVED',
  'EventTypeOrignal', '@timestamp', '@version', 'host', 'port', 'tags', 'type',
]);

/** NXLog's own EventType values (its severity-like classification), as opposed to Sysmon's EventType. */
const NXLOG_EVENT_TYPES = new Set(['INFO', 'AUDIT_SUCCESS', 'AUDIT_FAILURE', 'ERROR', 'WARNING', 'CRITICAL', 'VERBOSE', 'DEBUG']);

/** Canonical spelling of channels NXLog sometimes writes in another case (`security`). */
const CHANNEL_SPELLING = new Map(
  [
    'Security', 'System', 'Application', 'Setup', 'Windows PowerShell', 'Microsoft-Windows-Sysmon/Operational',
    'Microsoft-Windows-PowerShell/Operational', 'Microsoft-Windows-WinRM/Operational',
    'Microsoft-Windows-WMI-Activity/Operational', 'Microsoft-Windows-TaskScheduler/Operational',
    'Microsoft-Windows-Windows Defender/Operational', 'Microsoft-Windows-Bits-Client/Operational',
    'Microsoft-Windows-TerminalServices-LocalSessionManager/Operational', 'ForwardedEvents',
  ].map((c) => [c.toLowerCase(), c]),
);

export function canonicalChannel(channel: string): string {
  return CHANNEL_SPELLING.get(channel.toLowerCase()) ?? channel;
}

/** NXLog SeverityValue (1 debug … 5 critical) back to the Windows level (5 verbose … 1 critical). */
const LEVEL_FROM_SEVERITY: Record<number, number> = { 1: 5, 2: 4, 3: 3, 4: 2, 5: 1 };

const SYSMON_PROVIDER = 'Microsoft-Windows-Sysmon';

function text(v: unknown): string {
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  return JSON.stringify(v);
}

function int(v: unknown): number | undefined {
  const n = typeof v === 'number' ? v : typeof v === 'string' && /^-?\d+$/.test(v) ? Number(v) : NaN;
  return Number.isFinite(n) ? n : undefined;
}

/**
 * Keywords as Windows renders them (`0x8020000000000000`). NXLog writes the 64-bit mask as a
 * signed integer that a JS number cannot always hold, so it is read from the raw line text.
 */
function keywordsHex(rawLine: string | undefined, parsed: unknown): string | undefined {
  const m = rawLine ? /"Keywords"\s*:\s*(-?\d+)/.exec(rawLine) : null;
  const digits = m ? m[1] : typeof parsed === 'number' ? BigInt(Math.trunc(parsed)).toString() : undefined;
  if (digits === undefined) return undefined;
  let big = BigInt(digits);
  if (big < 0n) big += 1n << 64n;
  return '0x' + big.toString(16).padStart(16, '0');
}

/**
 * Sysmon renders every EventData value in `Message` as `Name: value` lines. NXLog overwrote some
 * of them with its own metadata (`ProcessId` by its `ProcessID`, Sysmon's `EventType` by its
 * own), so values missing from the JSON are recovered from the message.
 */
function recoverFromSysmonMessage(message: string, eventData: Record<string, string>): void {
  const lines = message.split(/\r?\n/);
  for (let i = 1; i < lines.length; i++) {
    const m = /^([A-Za-z][A-Za-z0-9]*): ?(.*)$/.exec(lines[i] as string);
    if (!m) continue;
    const name = m[1] as string;
    if (isSysmonFieldName(name) && !(name in eventData)) eventData[name] = canonicalGuid((m[2] as string).replace(/\r$/, ''));
  }
}

export interface OtrfConversion {
  record?: WindowsRecord;
  /** Why the object is not a Windows event (no EventID, no provider). */
  problem?: string;
}

/** One parsed OTRF/NXLog object → WindowsRecord. `rawLine` lets 64-bit values be read exactly. */
export function otrfToWindowsRecord(obj: Record<string, unknown>, timezone?: string, rawLine?: string): OtrfConversion {
  const eventId = int(obj.EventID);
  if (eventId === undefined) return { problem: 'no EventID' };
  const provider = obj.SourceName;
  if (typeof provider !== 'string' || provider === '') return { problem: 'no SourceName (provider)' };
  const eventData: Record<string, string> = {};
  for (const [key, value] of Object.entries(obj)) {
    if (METADATA_KEYS.has(key) || value === null || value === undefined) continue;
    if (key === 'Version' && typeof value === 'number') continue;
    if (key === 'ProcessID' && typeof value === 'number') continue;
    if (key === 'EventType' && typeof value === 'string' && NXLOG_EVENT_TYPES.has(value)) continue;
    // GUIDs in the record contract's case (upper), as the EVTX and XML readers give them.
    eventData[key] = canonicalGuid(text(value));
  }
  const message = typeof obj.Message === 'string' ? obj.Message : undefined;
  if (provider === SYSMON_PROVIDER && message) recoverFromSysmonMessage(message, eventData);

  let timeCreated: string | undefined;
  if (typeof obj.EventTime === 'string' && timezone) timeCreated = isoUtc(localTimeToUtc(obj.EventTime, timezone));

  const record: WindowsRecord = {
    provider,
    eventId,
    channel: canonicalChannel(typeof obj.Channel === 'string' ? obj.Channel : ''),
    computer: typeof obj.Hostname === 'string' ? obj.Hostname : '',
    eventData,
  };
  if (typeof obj.ProviderGuid === 'string') record.providerGuid = canonicalGuid(obj.ProviderGuid);
  const version = int(obj.Version);
  if (version !== undefined && typeof obj.Version === 'number') record.version = version;
  const severity = int(obj.SeverityValue);
  if (severity !== undefined && LEVEL_FROM_SEVERITY[severity] !== undefined) {
    // Security auditing events are written at level 0 (LogAlways); NXLog reports them as INFO.
    record.level = provider === 'Microsoft-Windows-Security-Auditing' && severity === 2 ? 0 : LEVEL_FROM_SEVERITY[severity];
  }
  const task = int(obj.Task);
  if (task !== undefined) record.task = task;
  const opcode = int(obj.OpcodeValue);
  if (opcode !== undefined) record.opcode = opcode;
  const keywords = keywordsHex(rawLine, obj.Keywords);
  if (keywords !== undefined) record.keywords = keywords;
  if (timeCreated) record.timeCreated = timeCreated;
  const recordId = int(obj.RecordNumber);
  if (recordId !== undefined) record.recordId = recordId;
  if (typeof obj.ActivityID === 'string') record.activityId = canonicalGuid(obj.ActivityID);
  const pid = int(obj.ExecutionProcessID) ?? (typeof obj.ProcessID === 'number' ? obj.ProcessID : undefined);
  if (pid !== undefined) record.processId = pid;
  const tid = int(obj.ThreadID);
  if (tid !== undefined) record.threadId = tid;
  if (typeof obj.UserID === 'string') record.userSid = obj.UserID;
  if (message !== undefined) record.message = message;
  return { record };
}

/** Whether a parsed JSON object looks like an OTRF/NXLog Windows event. */
export function looksLikeOtrf(obj: Record<string, unknown>): boolean {
  return 'EventID' in obj && ('SourceName' in obj || 'SourceModuleType' in obj);
}

export async function* readOtrfJsonRecords(absPath: string, options: ReaderOptions): AsyncGenerator<RawRecord> {
  for await (const batch of readOtrfJsonBatches(absPath, options)) yield* batch;
}

/**
 * The records of an OTRF/NXLog JSON-lines file, a batch per chunk read, through the bounded line
 * reader (an enormous line is counted and dropped, never held; `util/raw-lines.ts`).
 */
export async function* readOtrfJsonBatches(absPath: string, options: ReaderOptions): AsyncGenerator<RawRecord[]> {
  let ordinal = 0;
  let warnedNoZone = false;
  const batches = readRawLineBatches(absPath, {
    ...(options.openContent ? { open: options.openContent } : {}),
    onOverlong: overlongLineReporter(options),
  });
  for await (const lines of batches) {
    const records: RawRecord[] = [];
    for (const { line, text: lineText } of lines) {
      if (lineText.trim() === '') continue;
      const obj = parseJsonObjectLine(lineText, line, options, 'OTRF');
      if (!obj) continue;
      const { record, problem } = otrfToWindowsRecord(obj, options.timezone, lineText);
      if (!record) {
        options.onDiagnostic({
          file: options.file,
          line,
          column: 1,
          severity: 'warning',
          code: 'dataset/malformed-line',
          message: `line ${line} is not a Windows event: ${problem}; skipped`,
          hint: 'OTRF/NXLog records carry EventID, SourceName and Channel.',
        });
        continue;
      }
      if (!options.timezone && !warnedNoZone) {
        warnedNoZone = true;
        options.onDiagnostic({
          file: options.file,
          line: 0,
          column: 0,
          severity: 'warning',
          code: 'dataset/no-timezone',
          message: 'OTRF EventTime is local time without a zone and the dataset has no timezone; non-Sysmon events use the collector time (@timestamp), a few seconds late',
          hint: 'Add `timezone:` (IANA name or offset such as -04:00) to the dataset descriptor <file>.meta.yml.',
        });
      }
      if (!record.timeCreated && typeof (obj as Record<string, unknown>)['@timestamp'] === 'string') {
        const collected = Date.parse((obj as Record<string, string>)['@timestamp'] as string);
        if (Number.isFinite(collected)) record.timeCreated = new Date(collected).toISOString();
      }
      records.push({ kind: 'windows', line, ordinal: ordinal++, record });
    }
    if (records.length) yield records;
  }
}
