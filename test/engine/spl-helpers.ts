/** Sysmon events normalized by the real normalizer, and a runner for SPL queries over them. */
import { compileQuery } from '../../src/engine/index.js';
import type { Alert, CompiledQuery, QueryError } from '../../src/engine/types.js';
import { normalizeWindowsRecord } from '../../src/events/normalize/index.js';
import type { ReplayEvent, WindowsRecord } from '../../src/events/types.js';

let record = 1000;

export function sysmon(eventId: number, data: Record<string, string>, at = '2024-05-01T10:00:00.000Z', computer = 'WKS01.corp.example.com'): ReplayEvent {
  const id = record++;
  const rec: WindowsRecord = {
    provider: 'Microsoft-Windows-Sysmon',
    eventId,
    channel: 'Microsoft-Windows-Sysmon/Operational',
    computer,
    timeCreated: at,
    recordId: id,
    userSid: 'S-1-5-18',
    eventData: { RuleName: '-', UtcTime: at.replace('T', ' ').replace('Z', ''), ...data },
  };
  return { doc: normalizeWindowsRecord(rec), timestamp: Date.parse(at), key: `record:${id}`, dataset: 'test.xml', ordinal: id };
}

export interface ProcessSpec {
  image: string;
  cmd: string;
  parent?: string;
  parentCmd?: string;
  user?: string;
  pid?: number;
  ppid?: number;
  original?: string;
  at?: string;
  computer?: string;
  integrity?: string;
}

export function proc(p: ProcessSpec): ReplayEvent {
  return sysmon(
    1,
    {
      ProcessGuid: `{00000000-0000-0000-0000-${String(p.pid ?? 100).padStart(12, '0')}}`,
      ProcessId: String(p.pid ?? 100),
      Image: p.image,
      OriginalFileName: p.original ?? p.image.split('\\').pop() ?? '',
      CommandLine: p.cmd,
      CurrentDirectory: 'C:\\Windows\\system32\\',
      User: p.user ?? 'CORP\\alice',
      IntegrityLevel: p.integrity ?? 'High',
      Hashes: 'SHA256=AB',
      ParentProcessGuid: '{00000000-0000-0000-0000-000000000001}',
      ParentProcessId: String(p.ppid ?? 1),
      ParentImage: p.parent ?? 'C:\\Windows\\explorer.exe',
      ParentCommandLine: p.parentCmd ?? 'C:\\Windows\\explorer.exe',
    },
    p.at,
    p.computer,
  );
}

export function compileSplOk(text: string): CompiledQuery {
  const r = compileQuery(text, { language: 'spl', fieldView: 'cim' });
  if (!r.ok) throw new Error(`does not compile: ${JSON.stringify(r.errors)}`);
  return r.query;
}

export function splErrors(text: string): QueryError[] {
  const r = compileQuery(text, { language: 'spl', fieldView: 'cim' });
  return r.ok ? [] : r.errors;
}

export function runSpl(text: string, events: ReplayEvent[]): Alert[] {
  const q = compileSplOk(text);
  const alerts: Alert[] = [];
  const d = q.newDetector((a) => alerts.push(a));
  for (const e of events) d.push(e);
  d.finish();
  return alerts;
}

/** The record keys of each alert's events. */
export function keys(alerts: Alert[]): string[][] {
  return alerts.map((a) => a.events.map((e) => e.key));
}

