/** Turning engine alerts and events into the compact, deterministic shapes a report carries. */
import { getField } from '../events/fields.js';
import type { ReplayEvent } from '../events/types.js';
import type { Alert } from '../engine/types.js';
import type { Rule } from '../rules/model.js';
import type { AlertEventSummary, AlertSummary } from './types.js';

/** Fields a reader wants to see first when looking at a Windows event. */
export const SUMMARY_FIELDS = [
  'event.code',
  'event.category',
  'event.action',
  'host.name',
  'user.name',
  'process.pid',
  'process.name',
  'process.executable',
  'process.command_line',
  'process.parent.name',
  'process.parent.executable',
  'source.ip',
  'source.port',
  'destination.ip',
  'destination.port',
  'network.direction',
  'file.path',
  'registry.path',
  'dns.question.name',
] as const;

export function isoTime(ms: number): string {
  return Number.isFinite(ms) ? new Date(ms).toISOString() : 'unknown';
}

export function summarizeEvent(event: ReplayEvent, extraFields: readonly string[] = []): AlertEventSummary {
  const fields: Record<string, unknown> = {};
  for (const name of [...SUMMARY_FIELDS, ...extraFields]) {
    if (name in fields) continue;
    const v = getField(event.doc, name);
    if (v !== undefined) fields[name] = v;
  }
  return { key: event.key, timestamp: isoTime(event.timestamp), fields };
}

/** Identity of an alert across runs and versions: rule id, version, dataset, event keys. */
export function alertId(rule: Pick<Rule, 'id' | 'version'>, alert: Alert): string {
  const dataset = alert.events[0]?.dataset ?? '';
  return `${rule.id}@${rule.version ?? '-'}:${dataset}:${alert.events.map((e) => e.key).join('+')}`;
}

export function summarizeAlert(rule: Pick<Rule, 'id' | 'version'>, alert: Alert, extraFields: readonly string[] = []): AlertSummary {
  const out: AlertSummary = {
    id: alertId(rule, alert),
    timestamp: isoTime(alert.timestamp),
    events: alert.events.map((e) => summarizeEvent(e, extraFields)),
  };
  if (alert.joinKey && alert.joinKey.length) out.joinKey = alert.joinKey;
  return out;
}
