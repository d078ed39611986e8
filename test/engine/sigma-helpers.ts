/** Helpers for the Sigma engine tests: canonical Windows events and compiling rule text. */
import { compileSigma } from '../../src/engine/sigma/index.js';
import type { Alert, CompiledQuery, QueryError } from '../../src/engine/types.js';
import type { CanonicalEvent, ReplayEvent } from '../../src/events/types.js';

export const SYSMON = 'Microsoft-Windows-Sysmon/Operational';

/** A canonical event as the normalizers build it: the raw record under winlog.* (empties dropped). */
export function win(channel: string, eventId: number, data: Record<string, string>, extra: CanonicalEvent = {}): CanonicalEvent {
  const eventData: Record<string, string> = {};
  for (const [k, v] of Object.entries(data)) if (v !== '' && v !== '-') eventData[k] = v;
  return {
    ...extra,
    winlog: { channel, event_id: String(eventId), provider_name: channel === SYSMON ? 'Microsoft-Windows-Sysmon' : 'Microsoft-Windows-Security-Auditing', computer_name: 'HOST1', event_data: eventData },
  };
}

export const sysmon = (eventId: number, data: Record<string, string>, extra: CanonicalEvent = {}) => win(SYSMON, eventId, data, extra);
export const security = (eventId: number, data: Record<string, string>) => win('Security', eventId, data);

/** A Sigma rule with the given detection block (indented by the caller's text) and logsource. */
export function rule(detection: string, logsource = 'category: process_creation\n    product: windows', extra = ''): string {
  const body = detection.replace(/^\n/, '').split('\n').map((l) => (l.trim() ? `    ${l}` : l)).join('\n');
  return `title: Test rule\nid: 5b0d3f8c-1111-4222-8333-944455556666\nstatus: test\nlogsource:\n    ${logsource}\ndetection:\n${body}\n${extra}`;
}

export function compileOk(text: string): CompiledQuery {
  const r = compileSigma(text, { language: 'sigma', fieldView: 'sigma' });
  if (!r.ok) throw new Error(`compile failed: ${JSON.stringify(r.errors)}\n${text}`);
  return r.query;
}

export function compileErr(text: string): QueryError {
  const r = compileSigma(text, { language: 'sigma', fieldView: 'sigma' });
  if (r.ok) throw new Error(`expected an error for:\n${text}`);
  return r.errors[0] as QueryError;
}

let ordinal = 0;
export function replay(doc: CanonicalEvent, timestamp = 0): ReplayEvent {
  const o = ordinal++;
  return { doc, timestamp, key: `line:${o + 1}`, dataset: 'test.json', ordinal: o };
}

export function runAll(q: CompiledQuery, evs: ReplayEvent[]): Alert[] {
  const alerts: Alert[] = [];
  const det = q.newDetector((a) => alerts.push(a));
  for (const e of evs) det.push(e);
  det.finish();
  return alerts;
}

export function hits(text: string, doc: CanonicalEvent): boolean {
  return runAll(compileOk(text), [replay(doc)]).length === 1;
}
