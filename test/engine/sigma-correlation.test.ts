/**
 * Sigma correlations: event_count, value_count, temporal, temporal_ordered, group-by, aliases,
 * timespan in event time, chains, and their errors.
 */
import t from 'tap';
import { compileErr, compileOk, replay, runAll, sysmon } from './sigma-helpers.js';

const base = (name: string, image: string) => `title: ${name}
name: ${name}
logsource:
    category: process_creation
    product: windows
detection:
    sel:
        Image|endswith: '${image}'
    condition: sel
`;

const corr = (body: string) => `title: C\nid: 0f0e0d0c-0b0a-4909-8807-060504030201\ncorrelation:\n${body}\n---\n${base('whoami', '\\whoami.exe')}---\n${base('net', '\\net.exe')}`;

const p = (image: string, _label: string, user = 'u1') => sysmon(1, { Image: image, User: user });
const at = (doc: ReturnType<typeof sysmon>, host: string, ts: number) => {
  (doc.winlog as Record<string, unknown>).computer_name = host;
  return replay(doc, ts);
};

t.test('event_count: per group, sliding window, one alert per burst', async (t) => {
  const q = compileOk(corr('    type: event_count\n    rules: [whoami]\n    group-by: [Computer]\n    timespan: 1m\n    condition: {gte: 3}'));
  const alerts = runAll(q, [
    at(p('C:\\whoami.exe', 'a'), 'A', 0),
    at(p('C:\\whoami.exe', 'a'), 'A', 10_000),
    at(p('C:\\whoami.exe', 'b'), 'B', 20_000),
    at(p('C:\\whoami.exe', 'a'), 'A', 50_000),
    at(p('C:\\whoami.exe', 'a'), 'A', 55_000),
    at(p('C:\\whoami.exe', 'a'), 'A', 200_000),
  ]);
  t.equal(alerts.length, 1);
  t.same(alerts[0]?.joinKey, ['A']);
  t.equal(alerts[0]?.events.length, 3);
});

t.test('event_count with lt is judged when the window closes', async (t) => {
  const q = compileOk(corr('    type: event_count\n    rules: [whoami]\n    group-by: [Computer]\n    timespan: 1m\n    condition: {lt: 2}'));
  const alerts = runAll(q, [at(p('C:\\whoami.exe', 'a'), 'A', 0), at(p('C:\\whoami.exe', 'a'), 'B', 0), at(p('C:\\whoami.exe', 'a'), 'B', 1000)]);
  t.same(alerts.map((a) => a.joinKey), [['A']]);
});

t.test('value_count: distinct values of a field', async (t) => {
  const q = compileOk(corr('    type: value_count\n    rules: [whoami]\n    group-by: [Computer]\n    timespan: 5m\n    condition:\n        field: User\n        gte: 2'));
  const same = runAll(q, [at(p('C:\\whoami.exe', 'A', 'x'), 'A', 0), at(p('C:\\whoami.exe', 'A', 'x'), 'A', 1)]);
  t.equal(same.length, 0, 'one user twice');
  const two = runAll(q, [at(p('C:\\whoami.exe', 'A', 'x'), 'A', 0), at(p('C:\\whoami.exe', 'A', 'y'), 'A', 1)]);
  t.equal(two.length, 1, 'two users');
});

t.test('temporal: every rule within the timespan, any order', async (t) => {
  const q = compileOk(corr('    type: temporal\n    rules: [whoami, net]\n    group-by: [Computer]\n    timespan: 30s'));
  t.equal(runAll(q, [at(p('C:\\net.exe', ''), 'A', 0), at(p('C:\\whoami.exe', ''), 'A', 10_000)]).length, 1);
  t.equal(runAll(q, [at(p('C:\\net.exe', ''), 'A', 0), at(p('C:\\whoami.exe', ''), 'A', 40_000)]).length, 0, 'too far apart');
  t.equal(runAll(q, [at(p('C:\\net.exe', ''), 'A', 0), at(p('C:\\whoami.exe', ''), 'B', 1000)]).length, 0, 'different groups');
});

t.test('temporal_ordered: in the listed order', async (t) => {
  const q = compileOk(corr('    type: temporal_ordered\n    rules: [whoami, net]\n    group-by: [Computer]\n    timespan: 30s'));
  t.equal(runAll(q, [at(p('C:\\net.exe', ''), 'A', 0), at(p('C:\\whoami.exe', ''), 'A', 10_000)]).length, 0, 'wrong order');
  const ok = runAll(q, [at(p('C:\\whoami.exe', ''), 'A', 0), at(p('C:\\net.exe', ''), 'A', 10_000)]);
  t.equal(ok.length, 1);
  t.equal(ok[0]?.events.length, 2);
});

t.test('aliases join different field names', async (t) => {
  const text = `title: C
correlation:
    type: temporal
    rules: [whoami, net]
    group-by: [actor]
    timespan: 1m
    aliases:
        actor:
            whoami: User
            net: ParentUser
---
${base('whoami', '\\whoami.exe')}---
${base('net', '\\net.exe')}`;
  const q = compileOk(text);
  const alerts = runAll(q, [replay(sysmon(1, { Image: 'C:\\whoami.exe', User: 'CORP\\eve' }), 0), replay(sysmon(1, { Image: 'C:\\net.exe', ParentUser: 'CORP\\eve' }), 1000)]);
  t.same(alerts.map((a) => a.joinKey), [['CORP\\eve']]);
});

t.test('chains: a correlation over a correlation', async (t) => {
  const text = `title: Outer
correlation:
    type: event_count
    rules: [inner]
    group-by: [Computer]
    timespan: 10m
    condition: {gte: 2}
---
title: Inner
name: inner
correlation:
    type: event_count
    rules: [whoami]
    group-by: [Computer]
    timespan: 1m
    condition: {gte: 2}
---
${base('whoami', '\\whoami.exe')}`;
  const q = compileOk(text);
  const evs = [0, 1000, 120_000, 121_000].map((ts) => at(p('C:\\whoami.exe', ''), 'A', ts));
  t.equal(runAll(q, evs).length, 1, 'two inner bursts make one outer alert');
});

t.test('errors', async (t) => {
  t.match(compileErr(corr('    type: value_sum\n    rules: [whoami]\n    timespan: 1m\n    condition: {gte: 1}')), { kind: 'unsupported', message: /value_sum/ });
  t.match(compileErr(corr('    type: event_count\n    rules: [nothere]\n    timespan: 1m\n    condition: {gte: 1}')), { kind: 'semantic', message: /"nothere", which is not loaded/ });
  t.match(compileErr(corr('    type: event_count\n    rules: [whoami]\n    timespan: 1 minute\n    condition: {gte: 1}')), { message: /timespan/ });
  t.match(compileErr(corr('    type: value_count\n    rules: [whoami]\n    timespan: 1m\n    condition: {gte: 1}')), { message: /condition.field/ });
});
