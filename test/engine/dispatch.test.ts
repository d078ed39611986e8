/**
 * The dispatcher (category routes and gates) must be exact: feeding events through `dispatchTo`
 * gives every query the same alerts, in the same order, as offering every event to every detector.
 * Random queries (event queries, sequences with until and missing stages, samples, the endgame
 * dialect) over random events built to hit the edges of gating: mixed case, the Kelvin sign and
 * dotted capital I (whose lower-case forms are ASCII or longer), numbers and booleans in keyword
 * fields, numeric strings in numeric fields, arrays, several categories, missing fields.
 */
import t from 'tap';
import { rng } from '../fuzz/fuzz-lib.js';
import { dispatchTo } from '../../src/engine/dispatch.js';
import { exprGate } from '../../src/engine/gates.js';
import { compileQuery } from '../../src/engine/index.js';
import type { Alert, CompiledQuery } from '../../src/engine/types.js';
import type { ReplayEvent } from '../../src/events/types.js';


function compile(text: string, dialect?: string): CompiledQuery {
  const r = compileQuery(text, { language: 'eql', fieldView: dialect ? 'endgame' : 'ecs', ...(dialect ? { dialect } : {}) });
  if (!r.ok) throw new Error(`${text}: ${r.errors.map((e) => e.message).join('; ')}`);
  return r.query;
}

const NAMES = ['cmd.exe', 'CMD.EXE', 'Cmd.exe', 'powershell.exe', 'wsmprovhost.exe', 'kelvin.exe', '\u212Aelvin.exe', 'İnstall.exe', 'i̇nstall.exe', 'a', '4688', 'true'];
const CATEGORIES = ['process', 'network', 'file', 'registry'];
const pick = <T>(r: () => number, list: readonly T[]): T => list[Math.floor(r() * list.length)] as T;

function randomEvent(r: () => number, i: number): ReplayEvent {
  const doc: Record<string, unknown> = {};
  const cat = r() < 0.15 ? [pick(r, CATEGORIES), pick(r, CATEGORIES)] : r() < 0.5 ? [pick(r, CATEGORIES)] : pick(r, CATEGORIES);
  doc.event = { category: cat, type: r() < 0.5 ? 'start' : ['start', 'end'], code: r() < 0.3 ? 4688 : r() < 0.5 ? '4688' : '1' };
  doc.host = { id: pick(r, ['h1', 'h2', 'h3']), os: { type: r() < 0.8 ? 'windows' : 'Windows' } };
  const name = (): unknown => (r() < 0.1 ? 4688 : r() < 0.1 ? true : pick(r, NAMES));
  if (r() < 0.9) doc.process = { name: r() < 0.2 ? [name(), name()] : name(), pid: r() < 0.3 ? '42' : r() < 0.5 ? 42 : 7, parent: { name: name() } };
  if (r() < 0.2) doc['process.name'] = name(); // a dotted key wins over the nested one
  if (r() < 0.5) doc.destination = { port: r() < 0.3 ? pick(r, ['5985', '5985.0', '05985', ' 5985']) : r() < 0.5 ? 5985 : r() < 0.5 ? [443, 5986] : 443 };
  if (r() < 0.5) doc.network = { direction: pick(r, ['incoming', 'INGRESS', 'egress']) };
  return { doc, timestamp: 1_000 + i * 500 + Math.floor(r() * 400), key: `line:${i + 1}`, dataset: 'd', ordinal: i };
}

function leaf(r: () => number): string {
  const n = () => JSON.stringify(pick(r, NAMES));
  switch (Math.floor(r() * 9)) {
    case 0:
      return `process.name == ${n()}`;
    case 1:
      return `process.name : ${n()}`;
    case 2:
      return `process.parent.name in (${n()}, ${n()})`;
    case 3:
      return `process.name in~ (${n()}, ${n()})`;
    case 4:
      return `destination.port == ${pick(r, ['5985', '"5985"', '443'])}`;
    case 5:
      return `destination.port in (5985, 5986)`;
    case 6:
      return `network.direction : ("incoming", "ingress")`;
    case 7:
      return `event.code == ${pick(r, ['"4688"', '4688'])}`;
    default:
      return `process.name : ("*.exe", ${n()})`;
  }
}

function condition(r: () => number, depth = 0): string {
  const k = r();
  if (depth < 2 && k < 0.3) return `(${condition(r, depth + 1)} and ${condition(r, depth + 1)})`;
  if (depth < 2 && k < 0.5) return `(${condition(r, depth + 1)} or ${condition(r, depth + 1)})`;
  if (depth < 2 && k < 0.55) return `not ${condition(r, depth + 1)}`;
  if (k < 0.58) return 'false';
  return leaf(r);
}

function stage(r: () => number): string {
  return `[${r() < 0.25 ? 'any' : pick(r, CATEGORIES)} where ${condition(r)}]`;
}

function randomQuery(r: () => number): string {
  const k = r();
  if (k < 0.45) return `${r() < 0.3 ? 'any' : pick(r, CATEGORIES)} where ${condition(r)}`;
  if (k < 0.85) {
    const stages = [stage(r), stage(r), ...(r() < 0.3 ? [`!${stage(r)}`, stage(r)] : [])];
    const until = r() < 0.2 ? ` until ${stage(r)}` : '';
    return `sequence by host.id${r() < 0.5 ? ' with maxspan=3s' : ''} ${stages.join(' ')}${until}`;
  }
  return `sample by host.id ${stage(r)} ${stage(r)}`;
}

function alertIds(alerts: Alert[]): string[] {
  return alerts.map((a) => a.events.map((e) => e.ordinal).join(','));
}

t.test('dispatching gives every query the alerts of offering it every event', async (t) => {
  const r = rng(20261123);
  let gated = 0;
  let compared = 0;
  for (let round = 0; round < 60; round++) {
    const queries: CompiledQuery[] = [];
    const texts: string[] = [];
    while (queries.length < 25) {
      const text = randomQuery(r);
      const q = compile(text, r() < 0.15 ? 'endgame' : undefined);
      queries.push(q);
      texts.push(text);
      if (q.admission?.stages.some((s) => s.gate)) gated++;
    }
    const events = Array.from({ length: 300 }, (_, i) => randomEvent(r, i));
    const direct = queries.map(() => [] as Alert[]);
    const directDetectors = queries.map((q, i) => q.newDetector((a) => direct[i]!.push(a)));
    for (const e of events) for (const d of directDetectors) d.push(e);
    for (const d of directDetectors) d.finish();
    const routed = queries.map(() => [] as Alert[]);
    const set = dispatchTo(
      queries,
      queries.map((q, i) => q.newDetector((a) => routed[i]!.push(a))),
    );
    for (const e of events) set.push(e);
    set.finish();
    for (let i = 0; i < queries.length; i++) {
      compared++;
      const a = alertIds(direct[i]!);
      const b = alertIds(routed[i]!);
      if (JSON.stringify(a) !== JSON.stringify(b)) {
        t.same(b, a, `round ${round}: ${texts[i]}`);
        return;
      }
    }
  }
  t.ok(gated > 300, `gates were exercised (${gated} gated queries)`);
  t.pass(`${compared} queries gave identical alerts`);
});

t.test('gates read off the IR', async (t) => {
  const gate = (text: string) =>
    compile(text).admission?.stages.map((s) => ({ category: s.category, gate: s.gate?.map((g) => ({ path: g.path, kind: g.kind, ci: g.caseInsensitive, values: g.values })) ?? null }));
  t.same(gate('process where process.name == "Cmd.exe"'), [{ category: 'process', gate: [{ path: 'process.name', kind: 'string', ci: false, values: ['Cmd.exe'] }] }], '== is case-sensitive');
  t.same(gate('process where process.name : "Cmd.exe"'), [{ category: 'process', gate: [{ path: 'process.name', kind: 'string', ci: true, values: ['cmd.exe'] }] }], ': folds case');
  t.same(
    gate('network where network.direction : ("incoming", "ingress") and destination.port in (5985, 5986)'),
    [{ category: 'network', gate: [{ path: 'destination.port', kind: 'number', ci: false, values: ['5985', '5986'] }] }],
    'a numeric field beats a low-cardinality one',
  );
  t.same(gate('process where process.name : "*.exe"'), [{ category: 'process', gate: null }], 'wildcards: no gate, the category routes');
  t.equal(gate('any where process.name : "*.exe"'), undefined, 'any category and no gate: every event');
  t.same(gate('any where process.name == "a" or process.parent.name == "b"')?.[0]?.gate?.map((g) => g.path), ['process.name', 'process.parent.name'], 'or: the union');
  t.equal(gate('any where process.name == "a" or process.pid > 4'), undefined, 'an or branch without a gate');
  t.equal(gate('any where not process.name == "a"'), undefined, 'not: no gate');
  t.same(gate('process where false'), [{ category: 'process', gate: [] }], 'false: nothing can match');
  t.type(exprGate, 'function');
});
