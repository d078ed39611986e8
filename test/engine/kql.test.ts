/**
 * KQL conformance: syntax forms and Elasticsearch's field-type semantics, each with matching and
 * non-matching documents; threshold and new_terms detectors; exceptions; errors with positions.
 */
import t from 'tap';
import { compileKql, kqlRuleDialect, type KqlRuleParams } from '../../src/engine/kql/index.js';
import type { Alert, CompiledQuery } from '../../src/engine/types.js';
import type { CanonicalEvent, ReplayEvent } from '../../src/events/types.js';

function compile(text: string, params?: KqlRuleParams): CompiledQuery {
  const r = compileKql(text, { language: 'kql', fieldView: 'ecs', ...(params ? { dialect: kqlRuleDialect(params) } : {}) });
  if (!r.ok) throw new Error(`compile failed: ${JSON.stringify(r.errors)}`);
  return r.query;
}

let ordinal = 0;
const ev = (doc: CanonicalEvent, timestamp = 0): ReplayEvent => ({ doc, timestamp, key: `line:${++ordinal}`, dataset: 'x', ordinal });

function run(q: CompiledQuery, evs: ReplayEvent[]): Alert[] {
  const out: Alert[] = [];
  const d = q.newDetector((a) => out.push(a));
  for (const e of evs) d.push(e);
  d.finish();
  return out;
}

const matches = (text: string, doc: CanonicalEvent) => run(compile(text), [ev(doc)]).length === 1;

interface Case {
  query: string;
  match: CanonicalEvent[];
  noMatch: CanonicalEvent[];
}

const proc = (name: string, extra: CanonicalEvent = {}) => ({ process: { name, ...extra } });

const CASES: Case[] = [
  { query: 'process.name:cmd.exe', match: [proc('cmd.exe')], noMatch: [proc('CMD.EXE'), proc('cmd.exe.bak'), {}] },
  { query: 'process.name : "cmd.exe"', match: [proc('cmd.exe')], noMatch: [proc('Cmd.exe')] },
  { query: 'process.name:cmd*', match: [proc('cmd.exe'), proc('cmd')], noMatch: [proc('xcmd.exe'), proc('CMD.exe')] },
  { query: 'process.name:"cmd*"', match: [proc('cmd*')], noMatch: [proc('cmd.exe')] },
  { query: 'process.name:cmd\\*', match: [proc('cmd*')], noMatch: [proc('cmd.exe')] },
  { query: 'process.name:*\\*x*', match: [proc('a*xb')], noMatch: [proc('axb')] },
  { query: 'process.name:(cmd.exe or powershell.exe)', match: [proc('cmd.exe'), proc('powershell.exe')], noMatch: [proc('pwsh.exe')] },
  { query: 'process.args:(-enc and -nop)', match: [proc('p', { args: ['-nop', '-enc', 'x'] })], noMatch: [proc('p', { args: ['-enc'] })] },
  { query: 'process.name:(cmd.exe or not powershell.exe)', match: [proc('cmd.exe'), proc('x')], noMatch: [proc('powershell.exe')] },
  { query: 'process.name:cmd.exe and not process.parent.name:explorer.exe', match: [proc('cmd.exe', { parent: { name: 'svchost.exe' } }), proc('cmd.exe')], noMatch: [proc('cmd.exe', { parent: { name: 'explorer.exe' } })] },
  { query: 'process.name:a or process.name:b and process.pid:1', match: [proc('a'), proc('b', { pid: 1 })], noMatch: [proc('b', { pid: 2 })] },
  { query: '(process.name:a or process.name:b) and process.pid:1', match: [proc('b', { pid: 1 })], noMatch: [proc('a', { pid: 2 })] },
  { query: 'NOT process.name:a AND process.pid:1', match: [proc('b', { pid: 1 })], noMatch: [proc('a', { pid: 1 })] },
  { query: 'process.parent.name:*', match: [proc('a', { parent: { name: 'x' } })], noMatch: [proc('a')] },
  { query: 'destination.port:445', match: [{ destination: { port: 445 } }, { destination: { port: '445' } }], noMatch: [{ destination: { port: 4450 } }] },
  { query: 'destination.port >= 1024 and destination.port < 2000', match: [{ destination: { port: 1024 } }], noMatch: [{ destination: { port: 2000 } }, { destination: { port: 80 } }] },
  { query: 'destination.ip:10.0.0.0/8', match: [{ destination: { ip: '10.2.3.4' } }], noMatch: [{ destination: { ip: '11.2.3.4' } }] },
  { query: 'destination.ip:"::1"', match: [{ destination: { ip: '0:0:0:0:0:0:0:1' } }], noMatch: [{ destination: { ip: '127.0.0.1' } }] },
  { query: '@timestamp > "2024-01-01T00:00:00Z"', match: [{ '@timestamp': '2024-02-01T00:00:00Z' }], noMatch: [{ '@timestamp': '2023-02-01T00:00:00Z' }] },
  { query: 'message:mimikatz', match: [{ message: 'Running MIMIKATZ now' }], noMatch: [{ message: 'mimikatzz' }] },
  { query: 'message:"logon failure"', match: [{ message: 'An account: logon  Failure.' }], noMatch: [{ message: 'failure logon' }] },
  { query: 'message:quick brown', match: [{ message: 'the brown dog' }], noMatch: [{ message: 'lazy dog' }] },
  { query: 'user:{ name:bob and domain:corp }', match: [{ user: { name: 'bob', domain: 'corp' } }], noMatch: [{ user: { name: 'bob', domain: 'other' } }] },
  { query: 'process.name:cmd.exe and process.command_line:*whoami*', match: [proc('cmd.exe', { command_line: 'cmd /c whoami /all' })], noMatch: [proc('cmd.exe', { command_line: 'cmd /c WHOAMI' })] },
  { query: '*', match: [{}, proc('x')], noMatch: [] },
  { query: '', match: [{}], noMatch: [] },
];

t.test('KQL conformance table', async (t) => {
  for (const c of CASES) {
    t.test(c.query || '(empty)', async (t) => {
      c.match.forEach((d, i) => t.ok(matches(c.query, d), `matches ${i + 1}: ${JSON.stringify(d)}`));
      c.noMatch.forEach((d, i) => t.notOk(matches(c.query, d), `does not match ${i + 1}: ${JSON.stringify(d)}`));
    });
  }
});

t.test('errors have positions and kinds', async (t) => {
  const err = (q: string) => {
    const r = compileKql(q, { language: 'kql', fieldView: 'ecs' });
    if (r.ok) throw new Error(`expected an error for ${q}`);
    return r.errors[0];
  };
  t.match(err('process.name:(a or b'), { kind: 'syntax', line: 1, message: /expected "\)"/ });
  t.match(err('process.name:"abc'), { kind: 'syntax', column: 14, message: /not closed/ });
  t.match(err('process.name:a and\n  process.*:{ name:x }'), { kind: 'unsupported', line: 2, column: 3, message: /nested query needs one field/ });
  t.match(err('destination.port:abc'), { kind: 'semantic', message: /numeric field/ });
});

t.test('threshold: count per group within the look-back window, with cardinality', async (t) => {
  const q = compile('event.category:authentication and event.outcome:failure', {
    type: 'threshold',
    windowMs: 60_000,
    threshold: { field: ['source.ip'], value: 3, cardinality: [{ field: 'user.name', value: 2 }] },
  });
  const fail = (ip: string, user: string, ts: number) => ev({ event: { category: 'authentication', outcome: 'failure' }, source: { ip }, user: { name: user } }, ts);
  const alerts = run(q, [
    fail('10.0.0.1', 'a', 0),
    fail('10.0.0.1', 'a', 10_000),
    fail('10.0.0.2', 'a', 11_000),
    fail('10.0.0.1', 'b', 20_000), // third in the window, two users: alert
    fail('10.0.0.1', 'a', 30_000),
    fail('10.0.0.1', 'a', 40_000),
    fail('10.0.0.1', 'a', 50_000), // three again but one user: no alert
    fail('10.0.0.2', 'b', 200_000),
    fail('10.0.0.2', 'c', 201_000), // 11s event is out of the window: only two
  ]);
  t.equal(alerts.length, 1);
  t.same(alerts[0]?.joinKey, ['10.0.0.1']);
  t.equal(alerts[0]?.events.length, 3);
});

t.test('threshold without fields counts all matching events', async (t) => {
  const q = compile('event.code:4625', { type: 'threshold', windowMs: 60_000, threshold: { field: [], value: 2 } });
  const e = (ts: number) => ev({ event: { code: '4625' } }, ts);
  t.equal(run(q, [e(0), e(70_000), e(80_000), e(90_000)]).length, 1, 'the first event is alone in its window; the next two make one alert');
});

t.test('new_terms: first occurrence of a combination within the history window', async (t) => {
  const q = compile('event.category:process', { type: 'new_terms', newTerms: { fields: ['host.id', 'process.name'], historyWindowMs: 86_400_000 } });
  const p = (host: string, name: string, ts: number) => ev({ event: { category: 'process' }, host: { id: host }, process: { name } }, ts);
  const alerts = run(q, [p('h1', 'a', 0), p('h1', 'a', 1000), p('h2', 'a', 2000), p('h1', 'b', 3000), p('h1', 'a', 2 * 86_400_000 + 5000), { ...p('h1', 'x', 0), doc: { event: { category: 'process' }, host: { id: 'h1' } } }]);
  t.same(alerts.map((a) => a.joinKey), [['h1', 'a'], ['h2', 'a'], ['h1', 'b'], ['h1', 'a']], 'seen again after the history window is new again; a missing field makes no term');
});

t.test('exceptions: items OR-ed, entries AND-ed, excluded operator, match_any, wildcard, exists, nested', async (t) => {
  const q = compile('process.name:*', {
    type: 'query',
    exceptions: [
      { name: 'sccm', entries: [{ field: 'process.executable', type: 'wildcard', operator: 'included', value: 'C:\\Windows\\CCM\\*' }] },
      { name: 'admins', entries: [{ field: 'user.name', type: 'match_any', operator: 'included', value: ['adm1', 'adm2'] }, { field: 'host.name', type: 'match', operator: 'excluded', value: 'dc01' }] },
      { name: 'signed', entries: [{ field: 'process.code_signature', type: 'nested', entries: [{ field: 'trusted', type: 'match', operator: 'included', value: 'true' }, { field: 'subject_name', type: 'match', value: 'Microsoft Windows' }] }] },
      { name: 'tagged', entries: [{ field: 'labels.allow', type: 'exists', operator: 'included' }] },
    ],
  });
  const one = (doc: CanonicalEvent) => run(q, [ev(doc)]).length;
  t.equal(one(proc('a.exe', { executable: 'C:\\Windows\\CCM\\a.exe' })), 0, 'wildcard item');
  t.equal(one(proc('a.exe', { executable: 'C:\\Temp\\a.exe' })), 1);
  t.equal(one({ ...proc('a.exe'), user: { name: 'adm2' }, host: { name: 'ws1' } }), 0, 'match_any and excluded match');
  t.equal(one({ ...proc('a.exe'), user: { name: 'adm2' }, host: { name: 'dc01' } }), 1, 'the excluded entry keeps dc01');
  t.equal(one(proc('a.exe', { code_signature: { trusted: true, subject_name: 'Microsoft Windows' } })), 0, 'nested entries');
  t.equal(one(proc('a.exe', { code_signature: { trusted: false, subject_name: 'Microsoft Windows' } })), 1);
  t.equal(
    one(proc('a.exe', { code_signature: [{ trusted: true, subject_name: 'Other' }, { trusted: false, subject_name: 'Microsoft Windows' }] })),
    1,
    'nested entries hold on one element, not across elements',
  );
  t.equal(one(proc('a.exe', { code_signature: [{ trusted: false, subject_name: 'x' }, { trusted: true, subject_name: 'Microsoft Windows' }] })), 0);
  t.equal(one({ ...proc('a.exe'), labels: { allow: 'y' } }), 0, 'exists');
});
