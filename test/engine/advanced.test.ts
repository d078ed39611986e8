import t from 'tap';
import { compileQuery } from '../../src/engine/index.js';
import { events, keys, matches, run, testBinder } from './helpers.js';

const e = (cat: string, extra: Record<string, unknown> = {}) => ({ event: { category: cat }, host: { id: 'h' }, ...extra });

t.test('leading and trailing missing events, with maxspan', async (t) => {
  const lead = 'sequence by host.id with maxspan=10s ![authentication where true] [process where true]';
  t.equal(run(lead, events([e('process'), 0])).length, 1, 'no leading event');
  t.equal(run(lead, events([e('authentication'), 0], [e('process'), 5000])).length, 0, 'a leading event within maxspan rejects');
  t.equal(run(lead, events([e('authentication'), 0], [e('process'), 10_001])).length, 1, 'one further back than maxspan does not');
  const trail = 'sequence by host.id with maxspan=10s [process where true] ![authentication where true]';
  t.equal(run(trail, events([e('process'), 0], [e('authentication'), 10_000])).length, 0, 'a trailing event within maxspan rejects');
  t.equal(run(trail, events([e('process'), 0], [e('authentication'), 10_001])).length, 1);
  t.equal(run(trail, events([e('process'), 0])).length, 1, 'end of stream: nothing followed');
  const alerts = run(trail, events([e('process'), 0]));
  t.same(alerts[0]?.stages?.map((s) => (s ? 'event' : null)), ['event', null], 'stages keep a null for the missing stage');
});

t.test('samples: unordered, grouped by key, ordered by key', async (t) => {
  const q = 'sample by host.id [process where true] [network where true]';
  const evs = events(
    [{ event: { category: 'network' }, host: { id: 'b' } }, 1],
    [{ event: { category: 'process' }, host: { id: 'b' } }, 2],
    [{ event: { category: 'process' }, host: { id: 'a' } }, 3],
    [{ event: { category: 'network' }, host: { id: 'a' } }, 4],
    [{ event: { category: 'process' }, host: { id: 'c' } }, 5],
  );
  const alerts = run(q, evs);
  t.same(keys(alerts), [[evs[2]?.key, evs[3]?.key], [evs[1]?.key, evs[0]?.key]], 'network before process is fine; keys a then b; c incomplete');
  t.same(alerts.map((a) => a.joinKey), [['a'], ['b']]);
  const two = compileQuery(q, { language: 'eql', fieldView: 'ecs', binder: testBinder, maxSamplesPerKey: 2 });
  t.ok(two.ok);
});

t.test('closedSchema: an optional field the schema lacks is null', async (t) => {
  const q = 'process where ?nowhere.x == ?nowhere.y';
  t.notOk(matches(q, e('process')), 'open schema: null == null is null (no match)');
  t.ok(matches(q, e('process'), { closedSchema: true }), 'closed schema: both are the constant null, and x == null holds');
});

t.test('legacy endgame dialect', async (t) => {
  const doc = e('process', { process: { name: 'PowerShell.exe' } });
  t.ok(matches('process where process.name == "powershell.exe"', doc, { dialect: 'endgame' }), '== ignores case');
  t.ok(matches('process where process.name = "power*"', doc, { dialect: 'endgame' }), '= and wildcards in ==');
  t.notOk(matches('process where process.name == "powershell.exe"', doc, { dialect: 'endgame-cs' }), 'case-sensitive mode');
  t.notOk(matches('process where process.title != "x"', doc, { dialect: 'endgame' }), 'null != x is null');
  t.ok(matches('process where match(process.name, "power.*")', doc, { dialect: 'endgame' }));
  t.ok(matches('process where wildcard(process.name, "*.EXE")', doc, { dialect: 'endgame' }));
  t.ok(matches('process where process.name = "x" or true', doc, { dialect: 'endgame' }));
  const err = compileQuery('process where process.name = "x"', { language: 'eql', fieldView: 'ecs', binder: testBinder });
  t.notOk(err.ok, '= is an error in Elasticsearch EQL');
});

t.test('function null and type rules', async (t) => {
  const doc = e('process', { process: { name: 'cmd.exe' } });
  const is = (expr: string) => matches(`process where ${expr}`, doc);
  t.ok(is('between("welcome to the planet", "welcome", "planet") == " to the "'));
  t.ok(is('between("welcome to the planet", "welcome", "e", true) == " to the plan"'));
  t.ok(is('between(null, "a", "b") == null'));
  t.ok(is('concat("a", null) == null'), 'concat with null is null');
  t.ok(is('length("") == 0'));
  t.ok(is('indexOf("abc", "z") == null'), 'not found is null');
  t.ok(is('indexOf("abcabc", "b", 2) == 4'));
  t.ok(is('substring("abcdef", 1, -1) == "bcde"'));
  t.ok(is('number("zz") == null'));
  t.ok(is('number("ff", 16) == 255'));
  t.ok(is('divide(7, 2) == 3 and divide(7.0, 2) == 3.5'));
  t.ok(is('modulo(7, 0) == null'));
  t.ok(is('string(null) == null'));
  t.ok(is('stringContains~("ABC", "b") and not stringContains("ABC", "b")'));
  t.ok(is('cidrMatch("10.1.1.1", "10.0.0.0/8")'));
});
