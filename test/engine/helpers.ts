/**
 * Test helpers for the engine: build replay events, run a query over them, and a small explicit
 * field binder (typed like ECS) so engine tests do not depend on the field-view tables.
 */
import { compileQuery } from '../../src/engine/index.js';
import type { Alert, CompiledQuery, CompileOptions, QueryError } from '../../src/engine/types.js';
import type { CanonicalEvent, FieldBinder, FieldType, ReplayEvent } from '../../src/events/types.js';

const TYPES: Record<string, FieldType> = {
  '@timestamp': 'date',
  'event.category': 'keyword',
  'event.type': 'keyword',
  'event.code': 'keyword',
  'host.id': 'keyword',
  'host.name': 'keyword',
  'host.os.type': 'keyword',
  'process.name': 'keyword',
  'process.pid': 'long',
  'process.args': 'keyword',
  'process.executable': 'keyword',
  'process.command_line': 'wildcard',
  'process.parent.name': 'keyword',
  'process.parent.pid': 'long',
  'process.Ext.token.integrity_level_name': 'keyword',
  'network.direction': 'keyword',
  'network.protocol': 'keyword',
  'source.ip': 'ip',
  'source.port': 'long',
  'destination.ip': 'ip',
  'destination.port': 'long',
  'user.id': 'keyword',
  'user.name': 'keyword',
  'data_stream.dataset': 'keyword',
  'file.size': 'long',
  'file.path': 'keyword',
  'process.version': 'version',
  'flag': 'boolean',
  'ratio': 'double',
};

export const testBinder: FieldBinder = {
  name: 'test',
  bind(name) {
    const type = TYPES[name];
    return type ? { path: name, type, known: true } : { path: name, type: 'unknown', known: false };
  },
};

let ordinal = 0;
export function ev(doc: CanonicalEvent, timestamp = 0, key?: string): ReplayEvent {
  const o = ordinal++;
  return { doc, timestamp, key: key ?? `line:${o + 1}`, dataset: 'test.json', ordinal: o };
}

/** Events with increasing ordinals, in the order given. */
export function events(...items: Array<[CanonicalEvent, number]>): ReplayEvent[] {
  return items.map(([doc, ts]) => ev(doc, ts));
}

export function compile(text: string, extra: Partial<CompileOptions> = {}): CompiledQuery {
  const r = compileQuery(text, { language: 'eql', fieldView: 'ecs', binder: testBinder, ...extra });
  if (!r.ok) throw new Error(`compile failed: ${JSON.stringify(r.errors)}`);
  return r.query;
}

export function compileError(text: string, extra: Partial<CompileOptions> = {}): QueryError {
  const r = compileQuery(text, { language: 'eql', fieldView: 'ecs', binder: testBinder, ...extra });
  if (r.ok) throw new Error(`expected an error for: ${text}`);
  return r.errors[0] as QueryError;
}

export function run(text: string, evs: ReplayEvent[], extra: Partial<CompileOptions> = {}): Alert[] {
  const q = compile(text, extra);
  const alerts: Alert[] = [];
  const det = q.newDetector((a) => alerts.push(a));
  for (const e of evs) det.push(e);
  det.finish();
  return alerts;
}

/** The keys of each alert's events, e.g. [['line:1','line:2']]. */
export function keys(alerts: Alert[]): string[][] {
  return alerts.map((a) => a.events.map((e) => e.key));
}

/** Whether a single-event query matches one document. */
export function matches(text: string, doc: CanonicalEvent, extra: Partial<CompileOptions> = {}): boolean {
  return run(text, [ev(doc)], extra).length === 1;
}
