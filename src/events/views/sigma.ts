/**
 * The `sigma` field view: Sigma's Windows field names (`Image`, `CommandLine`, `EventID`,
 * `Provider_Name`, …) bound to the canonical event. Sigma compares the values Windows renders, so a
 * name binds to the raw record (`winlog.event_data.<Name>`, `winlog.*` for System fields), not to the
 * ECS field an integration derives from it (`Protocol` is `tcp` as Sysmon writes it, `Hashes` the
 * whole `SHA1=…,MD5=…` text). Per log source renames (Security 4688's `NewProcessName` for `Image`)
 * live in the taxonomy (`./sigma-taxonomy.ts`) and are applied by the Sigma compiler.
 */
import type { FieldBinder, FieldBinding } from '../types.js';
import { ecsBinder } from './ecs.js';
import { KNOWN_SIGMA_FIELDS, SYSTEM_FIELDS, type FieldSource, type LogsourceVariant } from './sigma-taxonomy.js';

export { resolveLogsource, knownLogsources, KNOWN_SIGMA_FIELDS, SYSTEM_FIELDS, INTEGRITY_SIDS, SYSMON_CHANNEL } from './sigma-taxonomy.js';
export type { FieldSource, LogsourceVariant, LogsourceSpec, LogsourceResolution, ValueRendering } from './sigma-taxonomy.js';

/** Names that are EventData values: one word, no dots. */
const EVENT_DATA_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Where a Sigma field name reads an event of one variant. */
export type SigmaFieldResolution =
  | { kind: 'source'; source: FieldSource; known: boolean }
  /** The variant's events never carry this field. */
  | { kind: 'not-carried' };

/** The canonical path of a Sigma name with no log source renames (Sysmon's own names). */
export function sigmaDefaultPath(name: string): string {
  const system = SYSTEM_FIELDS[name];
  if (system) return system;
  if (EVENT_DATA_NAME.test(name)) return `winlog.event_data.${name}`;
  // Dotted names are canonical names written directly.
  return name;
}

export function isKnownSigmaField(name: string): boolean {
  return KNOWN_SIGMA_FIELDS.has(name) || !EVENT_DATA_NAME.test(name);
}

export function resolveSigmaField(name: string, variant: LogsourceVariant): SigmaFieldResolution {
  const renamed = variant.fields[name];
  if (renamed) return { kind: 'source', source: renamed, known: true };
  if (SYSTEM_FIELDS[name] || !EVENT_DATA_NAME.test(name)) return { kind: 'source', source: { path: sigmaDefaultPath(name) }, known: true };
  const known = KNOWN_SIGMA_FIELDS.has(name);
  if (variant.carried && !variant.carried.has(name) && known) return { kind: 'not-carried' };
  return { kind: 'source', source: { path: `winlog.event_data.${name}` }, known: known || (variant.carried?.has(name) ?? false) };
}

export const sigmaBinder: FieldBinder = {
  name: 'sigma',
  bind(name: string): FieldBinding {
    if (!EVENT_DATA_NAME.test(name)) return ecsBinder.bind(name);
    return { path: sigmaDefaultPath(name), type: 'keyword', known: KNOWN_SIGMA_FIELDS.has(name) };
  },
};
