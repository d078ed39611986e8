/**
 * WinRM Operational (`Microsoft-Windows-WinRM/Operational`) → canonical events, as Elastic indexes
 * the channel: no Elastic integration has a pipeline for it, so it arrives through the "Custom
 * Windows event logs" integration (`winlog`), whose pipeline only sets `ecs.version`. What a
 * document then holds is what the agent itself writes for any channel — `winlog.*`, `event.code`,
 * `event.provider`, `host.*` — plus the rendered `message`, in data set `winlog.winlog`.
 *
 * Giving the events `event.category` or `user.*` would let `authentication where` or `user.name`
 * rules match documents Elastic never produces, so the session details (the shell's resource URI,
 * the authenticated account) stay under `winlog.event_data` where rules written for Elastic look
 * for them.
 */
import type { CanonicalEvent, WindowsRecord } from '../types.js';
import { cleanEventData } from './common.js';
import { genericWindowsBuilder } from './windows.js';

export const WINRM_CHANNEL = 'Microsoft-Windows-WinRM/Operational';

/** The data set the custom Windows event log integration writes to unless configured otherwise. */
export const CUSTOM_WINLOG_DATASET = 'winlog.winlog';

/**
 * Message templates of the WinRM provider for the events detections use (the provider's message
 * table, `%n` = the n-th EventData value in template order, named here).
 */
const MESSAGES: Readonly<Record<number, { text: string; params: readonly string[] }>> = {
  6: { text: 'Creating WSMan Session. The connection string is: %1', params: ['connection'] },
  91: { text: 'Creating WSMan shell on server with ResourceUri: %1', params: ['resourceUri'] },
  169: { text: 'User %1 authenticated successfully using %2 authentication', params: ['username', 'authenticationMechanism'] },
};

/** The message Windows would render for the event, when its template is known and its values present. */
export function renderWinRmMessage(record: WindowsRecord): string | undefined {
  const template = MESSAGES[record.eventId];
  if (!template) return undefined;
  const values = template.params.map((name, i) => record.eventData[name] ?? record.eventData[`param${i + 1}`]);
  if (values.some((v) => v === undefined)) return undefined;
  return template.text.replace(/%(\d)/g, (_, n: string) => values[Number(n) - 1] as string);
}

export function normalizeWinRm(record: WindowsRecord): CanonicalEvent {
  const b = genericWindowsBuilder(record);
  b.set('event.dataset', CUSTOM_WINLOG_DATASET);
  b.set('data_stream.dataset', CUSTOM_WINLOG_DATASET);
  b.set('data_stream.type', 'logs');
  if (!record.message) b.set('message', renderWinRmMessage({ ...record, eventData: cleanEventData(record.eventData) }));
  return b.doc;
}
