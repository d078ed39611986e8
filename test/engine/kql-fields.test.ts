/**
 * KQL conformance for the forms whose fields are decided per event: free-text terms (Kibana's query
 * over the default fields, `*`), wildcard field names (`process.*:x`), `.text` multi-fields, and nested
 * queries (`parent:{ … }`, every condition on the same element). Each form has matching and
 * non-matching events.
 */
import t from 'tap';
import { compileKql } from '../../src/engine/kql/index.js';
import { queryRequirement } from '../../src/engine/prefilter.js';
import { instrumentQuery } from '../../src/engine/coverage.js';
import { fieldNameMatcher, leafFieldNames } from '../../src/engine/field-pattern.js';
import type { Alert, CompiledQuery } from '../../src/engine/types.js';
import type { CanonicalEvent, ReplayEvent } from '../../src/events/types.js';

function compile(text: string): CompiledQuery {
  const r = compileKql(text, { language: 'kql', fieldView: 'ecs' });
  if (!r.ok) throw new Error(`compile failed: ${JSON.stringify(r.errors)}`);
  return r.query;
}

let ordinal = 0;
function matches(text: string, doc: CanonicalEvent): boolean {
  const out: Alert[] = [];
  const d = compile(text).newDetector((a) => out.push(a));
  const e: ReplayEvent = { doc, timestamp: 0, key: `line:${++ordinal}`, dataset: 'x', ordinal };
  d.push(e);
  d.finish();
  return out.length === 1;
}

interface Case {
  query: string;
  why: string;
  match: CanonicalEvent[];
  noMatch: CanonicalEvent[];
}

const proc = (fields: CanonicalEvent) => ({ process: fields });

const CASES: Case[] = [
  // ---- free text: every field, each with its own type ----
  {
    query: 'cmd.exe',
    why: 'a keyword field must equal the whole term, case-sensitively',
    match: [{ file: { name: 'cmd.exe' } }, { 'file.name': 'cmd.exe' }, proc({ args: ['/c', 'cmd.exe'] })],
    noMatch: [{ file: { name: 'CMD.EXE' } }, { file: { name: 'cmd.exe.bak' } }, proc({ args: ['/c', 'x'] }), {}],
  },
  {
    query: 'cmd.exe',
    why: 'process.name has a .text multi-field in ECS: the term also matches it analysed, in any case',
    match: [proc({ name: 'cmd.exe' }), proc({ name: 'CMD.EXE' })],
    noMatch: [proc({ name: 'powershell.exe' })],
  },
  {
    query: 'mimikatz',
    why: 'a text field is analysed: any word, any case',
    match: [{ message: 'Running MIMIKATZ now' }, { custom: { note: 'mimikatz' } }],
    noMatch: [{ message: 'mimikatzz' }, { custom: { note: 'Mimikatz' } }],
  },
  {
    query: 'whoami',
    why: 'the .text multi-field of process.command_line takes part in the default fields',
    match: [proc({ command_line: 'cmd /c WHOAMI /all' })],
    noMatch: [proc({ command_line: 'cmd /c whoamix' }), proc({ args: ['WHOAMI'] })],
  },
  {
    query: 'logon failure',
    why: 'an unquoted term of several words: the whole value on keyword fields, any word on text fields',
    match: [{ custom: 'logon failure' }, { message: 'a failure' }],
    noMatch: [{ custom: 'logon' }, { message: 'logged on' }],
  },
  {
    query: '"logon failure"',
    why: 'a quoted term is a phrase on text fields and the whole value on keyword fields',
    match: [{ message: 'Logon  failure.' }, { custom: 'logon failure' }],
    noMatch: [{ message: 'failure logon' }, { custom: 'Logon failure' }],
  },
  {
    query: 'cmd*',
    why: 'a wildcard term: case-sensitive on keyword values, per word (lower-cased) on text',
    match: [{ file: { name: 'cmd.exe' } }, { message: 'ran CMDKEY /list' }],
    noMatch: [{ file: { name: 'xcmd.exe' } }, { file: { name: 'CMD.exe' } }, { message: 'xcmd' }],
  },
  {
    query: '445',
    why: 'numeric fields compare as numbers; keyword fields as text',
    match: [{ destination: { port: 445 } }, { custom: '445' }, { destination: { port: '445' } }],
    noMatch: [{ destination: { port: 4450 } }, { custom: '4450' }],
  },
  {
    query: 'abc',
    why: 'lenient: a value that is not a number fails numeric fields only',
    match: [{ destination: { port: 80 }, custom: 'abc' }],
    noMatch: [{ destination: { port: 80 } }],
  },
  {
    query: 'true',
    why: 'a boolean field takes true/false',
    match: [{ custom: { flag: true } }, { custom: 'true' }],
    noMatch: [{ custom: { flag: false } }],
  },
  {
    query: 'not mimikatz',
    why: 'negated free text',
    match: [{ message: 'hello' }, {}],
    noMatch: [{ message: 'mimikatz' }],
  },
  {
    query: 'event.category:process and (psexec or paexec)',
    why: 'free text inside boolean structure',
    match: [{ event: { category: 'process' }, process: { name: 'psexec' } }, { event: { category: 'process' }, message: 'PAEXEC ran' }],
    noMatch: [{ event: { category: 'process' }, process: { name: 'other' } }, { process: { name: 'psexec' } }],
  },
  // ---- wildcard field names ----
  {
    query: 'process.*:cmd.exe',
    why: 'every field under process, with its own type',
    match: [proc({ name: 'cmd.exe' }), proc({ parent: { name: 'cmd.exe' } }), { 'process.name': 'cmd.exe' }, proc({ args: ['cmd.exe'] })],
    noMatch: [{ file: { name: 'cmd.exe' } }, proc({ args: ['CMD.exe'] })],
  },
  {
    query: '*.name:cmd.exe',
    why: 'a leading wildcard',
    match: [{ file: { name: 'cmd.exe' } }, proc({ parent: { name: 'cmd.exe' } })],
    noMatch: [{ file: { path: 'cmd.exe' } }],
  },
  {
    query: 'azure.auditlogs.properties.target_resources.*.modified_properties.*.new_value: *Member*',
    why: 'patterns in the middle (Azure audit-log objects keyed by index), wildcard value',
    match: [{ azure: { auditlogs: { properties: { target_resources: { '0': { modified_properties: { '1': { new_value: '"Member"' } } } } } } } }],
    noMatch: [{ azure: { auditlogs: { properties: { target_resources: { '0': { modified_properties: { '1': { old_value: '"Member"' } } } } } } } }],
  },
  {
    query: 'process.*:(a or b)',
    why: 'a value list distributes the pattern',
    match: [proc({ name: 'a' }), proc({ title: 'b' })],
    noMatch: [proc({ name: 'c' })],
  },
  {
    query: 'process.*:*',
    why: 'existence of any field under the pattern',
    match: [proc({ pid: 4 })],
    noMatch: [{ file: { name: 'x' } }, {}],
  },
  {
    query: '*:cmd.exe',
    why: '* as a field name is every field',
    match: [{ file: { name: 'cmd.exe' } }],
    noMatch: [{ file: { name: 'cmd' } }],
  },
  {
    query: '*.port >= 1024',
    why: 'a range over a field pattern compares each field by its type',
    match: [{ destination: { port: 8080 } }, { source: { port: 1024 } }],
    noMatch: [{ destination: { port: 80 } }, { destination: { ip: '10.0.0.1' } }],
  },
  {
    query: 'process.command_line.*:whoami',
    why: 'a pattern reaching the .text multi-field searches it as text',
    match: [proc({ command_line: 'cmd /c WHOAMI' })],
    noMatch: [proc({ command_line: 'cmd /c who' })],
  },
  // ---- explicit multi-field ----
  {
    query: 'process.command_line.text:whoami',
    why: 'x.text reads the value of x, analysed',
    match: [proc({ command_line: 'cmd /c WhoAmI /all' })],
    noMatch: [proc({ command_line: 'whoami2' })],
  },
  {
    query: 'process.command_line.text:"net user"',
    why: 'a phrase on the multi-field',
    match: [proc({ command_line: 'C:\\Windows\\net.exe  NET   USER admin' })],
    noMatch: [proc({ command_line: 'net localgroup user' })],
  },
  // ---- nested: the same element ----
  {
    query: 'user:{ name:bob and domain:corp }',
    why: 'both conditions on one element of an array of objects',
    match: [{ user: { name: 'bob', domain: 'corp' } }, { user: [{ name: 'al', domain: 'x' }, { name: 'bob', domain: 'corp' }] }],
    noMatch: [{ user: [{ name: 'bob', domain: 'other' }, { name: 'al', domain: 'corp' }] }, { user: { name: 'bob' } }, {}],
  },
  {
    query: 'user:{ name:bob and not domain:corp }',
    why: 'a negation inside a nested query applies to the element',
    match: [{ user: [{ name: 'bob', domain: 'corp' }, { name: 'bob', domain: 'x' }] }, { user: { name: 'bob' } }],
    noMatch: [{ user: [{ name: 'bob', domain: 'corp' }, { name: 'al', domain: 'x' }] }],
  },
  {
    query: 'not user:{ name:bob and domain:corp }',
    why: 'a negated nested query: no element has both',
    match: [{ user: [{ name: 'bob', domain: 'x' }, { name: 'al', domain: 'corp' }] }, {}],
    noMatch: [{ user: [{ name: 'bob', domain: 'corp' }] }],
  },
  {
    query: 'threat.enrichments:{ indicator.type:ipv4-addr and matched.field:source.ip }',
    why: 'dotted sub-fields inside an ECS nested field',
    match: [{ threat: { enrichments: [{ indicator: { type: 'ipv4-addr' }, matched: { field: 'source.ip' } }] } }],
    noMatch: [{ threat: { enrichments: [{ indicator: { type: 'ipv4-addr' }, matched: { field: 'x' } }, { indicator: { type: 'url' }, matched: { field: 'source.ip' } }] } }],
  },
  {
    query: 'a:{ b:{ c:1 and d:2 } }',
    why: 'a nested query within a nested query',
    match: [{ a: [{ b: [{ c: '1', d: '2' }] }] }],
    noMatch: [{ a: [{ b: [{ c: '1' }, { d: '2' }] }] }],
  },
  {
    query: 'dns:{ answers.*:1.2.3.4 }',
    why: 'a field pattern inside a nested query',
    match: [{ dns: { answers: { data: '1.2.3.4' } } }],
    noMatch: [{ dns: { answers: { data: '1.2.3.5' } } }],
  },
];

t.test('free text, wildcard field names, multi-fields and nested queries', async (t) => {
  for (const c of CASES) {
    t.test(`${c.query} (${c.why})`, async (t) => {
      c.match.forEach((d, i) => t.ok(matches(c.query, d), `matches ${i + 1}: ${JSON.stringify(d)}`));
      c.noMatch.forEach((d, i) => t.notOk(matches(c.query, d), `does not match ${i + 1}: ${JSON.stringify(d)}`));
    });
  }
});

t.test('the prefilter requires no literal of a free-text or pattern query; other conjuncts still count', async (t) => {
  const source = (q: string) => {
    const s = compile(q).source;
    if (!s) throw new Error('no IR');
    return s;
  };
  t.equal(compile('mimikatz').literals, undefined, 'free text: every line is read');
  t.equal(compile('process.*:cmd.exe').literals, undefined, 'field pattern: every line is read');
  t.same(compile('process.name:powershell.exe and mimikatz').literals, ['powershell.exe'], 'the field conjunct is still scanned for');
  t.ok(source('user:{ name:bob }').ir, 'nested queries lower to the IR');
  t.type(queryRequirement, 'function');
});

t.test('clause coverage instruments the new nodes as leaves', async (t) => {
  const r = instrumentQuery('process.name:cmd.exe and not (mimikatz or user:{ name:bob and domain:corp })', { language: 'kql', fieldView: 'ecs' });
  if (!r.ok) throw new Error(r.reason);
  const q = r.query;
  t.same(q.predicates.map((p) => p.text), ['process.name:cmd.exe', 'mimikatz', 'user:{ name:bob and domain:corp }']);
  const bites = q.observe({ process: { name: 'cmd.exe' }, user: [{ name: 'bob', domain: 'corp' }] });
  t.same(bites, [0], 'the exclusion is what keeps the event out');
  t.same(q.observe({ process: { name: 'cmd.exe' }, user: [{ name: 'bob', domain: 'x' }] }), [], 'nothing bites when the query matches');
  t.same(q.trueCounts, [2, 0, 1]);
});

t.test('field-name patterns and the fields of an event', async (t) => {
  const m = fieldNameMatcher(['a.*.b', 'x?y']);
  t.ok(m('a.0.b'));
  t.ok(m('a.0.c.1.b'), '* crosses dots, as Elasticsearch field patterns do');
  t.notOk(m('a.b'));
  t.ok(m('xzy'));
  t.notOk(m('x.y.z'));
  t.ok(fieldNameMatcher(['*'])('anything'));
  t.ok(fieldNameMatcher(['a.(b)+'])('a.(b)+'), 'regex characters in a pattern are literal');
  t.same(
    leafFieldNames({ a: { b: 1, c: [1, 2], d: [{ e: 1 }, { f: null, g: 'x' }] }, 'h.i': 'flat', j: null, k: [], l: {} }).sort(),
    ['a.b', 'a.c', 'a.d.e', 'a.d.g', 'h.i'],
    'leaves with a value; arrays of objects contribute their members; null, empty arrays and objects do not',
  );
});
