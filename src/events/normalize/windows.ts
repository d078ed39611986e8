/**
 * Windows channels without a dedicated normalizer: the raw record under `winlog.*`, `event.code`,
 * `host.*`, `@timestamp` from the record's time, the data set Elastic's integrations use for the
 * channel, and `event.outcome` from the audit keywords.
 */
import type { CanonicalEvent, WindowsRecord } from '../types.js';
import { DocBuilder, baseWindowsEvent, datasetOfChannel, keywordNames } from './common.js';

const MODULES: Record<string, string> = {
  'system.security': 'security',
  'system.system': 'system',
  'system.application': 'system',
  'windows.powershell': 'powershell',
  'windows.powershell_operational': 'powershell',
};

/** Start of a generic Windows event; specific normalizers add their fields to the builder. */
export function genericWindowsBuilder(record: WindowsRecord): DocBuilder {
  const b = new DocBuilder();
  baseWindowsEvent(record, b);
  const dataset = datasetOfChannel(record.channel);
  if (dataset) {
    b.set('event.dataset', dataset);
    b.set('data_stream.dataset', dataset);
    b.set('data_stream.type', 'logs');
    b.set('event.module', MODULES[dataset]);
  }
  const keywords = keywordNames(record.keywords) ?? [];
  if (keywords.includes('Audit Success')) b.set('event.outcome', 'success');
  else if (keywords.includes('Audit Failure')) b.set('event.outcome', 'failure');
  return b;
}

export function normalizeGenericWindows(record: WindowsRecord): CanonicalEvent {
  return genericWindowsBuilder(record).doc;
}
