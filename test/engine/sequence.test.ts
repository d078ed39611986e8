import t from 'tap';
import { compileError, events, keys, run } from './helpers.js';

const net = (host: string | undefined, extra: Record<string, unknown> = {}) => ({
  event: { category: ['network'] },
  ...(host === undefined ? {} : { host: { id: host } }),
  ...extra,
});
const proc = (host: string | undefined, extra: Record<string, unknown> = {}) => ({
  event: { category: ['process'], type: ['start'] },
  ...(host === undefined ? {} : { host: { id: host } }),
  ...extra,
});

t.test('sequence by host.id joins on the key', async (t) => {
  const q = 'sequence by host.id [network where true] [process where true]';
  const evs = events([net('a'), 1], [net('b'), 2], [proc('b'), 3], [proc('a'), 4], [proc('c'), 5]);
  const alerts = run(q, evs);
  t.same(keys(alerts), [
    [evs[1]?.key, evs[2]?.key],
    [evs[0]?.key, evs[3]?.key],
  ]);
  t.same(alerts[0]?.joinKey, ['b']);
  t.equal(alerts[0]?.timestamp, 3, 'alert time is the last event');
});

t.test('the most recent partial advances; older ones are dropped (Elasticsearch)', async (t) => {
  const q = 'sequence by host.id [network where true] [process where true]';
  const evs = events([net('a'), 1], [net('a'), 2], [proc('a'), 3], [proc('a'), 4]);
  t.same(keys(run(q, evs)), [[evs[1]?.key, evs[2]?.key]]);
});

t.test('an event can serve as several stages, but never twice in one sequence', async (t) => {
  const q = 'sequence [any where true] [any where true]';
  const evs = events([net('a'), 1], [net('a'), 2], [net('a'), 3]);
  t.same(keys(run(q, evs)), [
    [evs[0]?.key, evs[1]?.key],
    [evs[1]?.key, evs[2]?.key],
  ]);
});

t.test('maxspan: exactly maxspan is inside, 1 ms over is outside', async (t) => {
  const q = 'sequence by host.id with maxspan=30s [network where true] [process where true]';
  t.equal(run(q, events([net('a'), 0], [proc('a'), 30_000])).length, 1, 'exactly at maxspan');
  t.equal(run(q, events([net('a'), 0], [proc('a'), 30_001])).length, 0, '1 ms over');
  t.equal(run('sequence with maxspan=500ms [network where true] [process where true]', events([net('a'), 0], [proc('a'), 500])).length, 1);
  t.equal(run('sequence with maxspan=500ms [network where true] [process where true]', events([net('a'), 0], [proc('a'), 501])).length, 0);
  const three = 'sequence by host.id with maxspan=10s [network where true] [process where true] [any where true]';
  t.equal(run(three, events([net('a'), 0], [proc('a'), 6000], [net('a'), 10_001])).length, 0, 'the whole sequence, first to last, must fit');
  t.equal(run(three, events([net('a'), 0], [proc('a'), 6000], [net('a'), 10_000])).length, 1);
});

t.test('maxspan units: ms, s, m, h, d', async (t) => {
  for (const [unit, ms] of [['ms', 1], ['s', 1000], ['m', 60_000], ['h', 3_600_000], ['d', 86_400_000]] as const) {
    const q = `sequence with maxspan=2${unit} [network where true] [process where true]`;
    t.equal(run(q, events([net('a'), 0], [proc('a'), 2 * ms])).length, 1, `2${unit} inside`);
    t.equal(run(q, events([net('a'), 0], [proc('a'), 2 * ms + 1])).length, 0, `2${unit} + 1ms outside`);
  }
});

t.test('a missing join key does not join (non-optional key)', async (t) => {
  const q = 'sequence by host.id [network where true] [process where true]';
  t.equal(run(q, events([net(undefined), 0], [proc(undefined), 1])).length, 0, 'both missing: no sequence');
  t.equal(run(q, events([net('a'), 0], [proc(undefined), 1])).length, 0);
  t.equal(run(q, events([net(undefined), 0], [proc('a'), 1])).length, 0);
});

t.test('an optional ?key joins missing values as null', async (t) => {
  const q = 'sequence by ?host.id [network where true] [process where true]';
  const alerts = run(q, events([net(undefined), 0], [proc(undefined), 1]));
  t.equal(alerts.length, 1);
  t.same(alerts[0]?.joinKey, [null]);
});

t.test('per-stage join keys, combined with sequence keys', async (t) => {
  const q = 'sequence by host.id [network where true] by source.port [process where true] by process.pid';
  const evs = events(
    [net('a', { source: { port: 1 } }), 0],
    [proc('a', { process: { pid: 2 } }), 1],
    [proc('a', { process: { pid: 1 } }), 2],
  );
  const alerts = run(q, evs);
  t.same(keys(alerts), [[evs[0]?.key, evs[2]?.key]]);
  t.same(alerts[0]?.joinKey, ['a', 1]);
});

t.test('multi-valued join keys fan out over every value', async (t) => {
  const q = 'sequence by user.name [network where true] [process where true]';
  const evs = events([net('a', { user: { name: ['x', 'y'] } }), 0], [proc('a', { user: { name: 'y' } }), 1]);
  const alerts = run(q, evs);
  t.equal(alerts.length, 1);
  t.same(alerts[0]?.joinKey, ['y']);
});

t.test('IP join keys compare as addresses', async (t) => {
  const q = 'sequence by source.ip [network where true] [process where true]';
  const evs = events([net('a', { source: { ip: '::1' } }), 0], [proc('a', { source: { ip: '0:0:0:0:0:0:0:1' } }), 1]);
  t.equal(run(q, evs).length, 1);
});

t.test('until ends the partial sequences of its key', async (t) => {
  const q = 'sequence by host.id [network where true] [process where true] until [any where event.type == "end"]';
  const end = (h: string) => ({ event: { category: ['session'], type: ['end'] }, host: { id: h } });
  t.equal(run(q, events([net('a'), 0], [end('a'), 1], [proc('a'), 2])).length, 0, 'until between the stages');
  t.equal(run(q, events([net('a'), 0], [end('b'), 1], [proc('a'), 2])).length, 1, 'until on another key does nothing');
  t.equal(run(q, events([net('a'), 0], [proc('a'), 2], [end('a'), 3])).length, 1, 'until after completion does nothing');
  t.equal(run(q, events([end('a'), 0], [net('a'), 1], [proc('a'), 2])).length, 1, 'until before the first stage does nothing');
});

t.test('runs=N repeats a stage N times', async (t) => {
  const q = 'sequence by host.id [network where true] with runs=3 [process where true]';
  const evs = events([net('a'), 0], [net('a'), 1], [net('a'), 2], [proc('a'), 3]);
  t.same(keys(run(q, evs)), [[evs[0]?.key, evs[1]?.key, evs[2]?.key, evs[3]?.key]]);
  t.equal(run(q, events([net('a'), 0], [net('a'), 1], [proc('a'), 3])).length, 0, 'two runs are not enough');
});

t.test('one stage with runs=N is a sequence of N queries (as Elastic rules write it)', async (t) => {
  const q = 'sequence by host.id [process where true] with runs=3';
  const evs = events([proc('a'), 0], [proc('a'), 1], [proc('b'), 2], [proc('a'), 3]);
  t.same(keys(run(q, evs)), [[evs[0]?.key, evs[1]?.key, evs[3]?.key]]);
  t.match(compileError('sequence by host.id [process where true]').message, /a sequence needs at least two queries/);
  t.match(compileError('sequence by host.id [process where true] with runs=1').message, /a sequence needs at least two queries/);
});

t.test('missing event ![…] between stages', async (t) => {
  const q = 'sequence by host.id [network where true] ![any where event.type == "deny"] [process where true]';
  const deny = (h: string) => ({ event: { category: ['authentication'], type: ['deny'] }, host: { id: h } });
  t.equal(run(q, events([net('a'), 0], [proc('a'), 2])).length, 1);
  t.equal(run(q, events([net('a'), 0], [deny('a'), 1], [proc('a'), 2])).length, 0);
  t.equal(run(q, events([net('a'), 0], [deny('b'), 1], [proc('a'), 2])).length, 1, 'another key');
  const alerts = run(q, events([net('a'), 0], [proc('a'), 2]));
  t.equal(alerts[0]?.events.length, 2, 'alerts carry only the events that occurred');
});

t.test('head and tail pipes', async (t) => {
  const evs = events([net('a'), 1], [net('b'), 2], [net('c'), 3]);
  t.same(keys(run('network where true | head 2', evs)), [[evs[0]?.key], [evs[1]?.key]]);
  t.same(keys(run('network where true | tail 1', evs)), [[evs[2]?.key]]);
  const seq = events([net('a'), 1], [net('b'), 2], [proc('b'), 3], [proc('a'), 4]);
  t.same(keys(run('sequence by host.id [network where true] [process where true] | head 1', seq)), [[seq[1]?.key, seq[2]?.key]], 'sequences are ordered by their last event, as Elasticsearch returns them');
  t.same(keys(run('sequence by host.id [network where true] [process where true] | tail 1', seq)), [[seq[0]?.key, seq[3]?.key]]);
});

t.test('out-of-order input: a late event never joins a partial that is later than itself', async (t) => {
  const q = 'sequence by host.id [network where true] [process where true]';
  // The process event is delivered after the network event but happened before it.
  const evs = events([net('a'), 10], [proc('a'), 5]);
  t.equal(run(q, evs).length, 0, 'sequences stay in time order');
  const sorted = events([proc('a'), 5], [net('a'), 10], [proc('a'), 12]);
  t.equal(run(q, sorted).length, 1);
});

t.test('a detector is independent from another detector of the same query', async (t) => {
  const q = 'sequence by host.id [network where true] [process where true]';
  t.equal(run(q, events([net('a'), 0])).length, 0);
  t.equal(run(q, events([proc('a'), 1])).length, 0, 'no state leaks between runs');
});

t.test('more than 30 stages (one stage with runs=60, as Elastic brute-force rules write it)', async (t) => {
  const q = 'sequence by host.id with maxspan=1m [process where true] with runs=40';
  const many = Array.from({ length: 45 }, (_, i) => [proc(i % 9 === 4 ? 'b' : 'a'), i] as [Record<string, unknown>, number]);
  const evs = events(...many);
  const alerts = run(q, evs);
  t.equal(alerts.length, 1, 'forty events of one host make one sequence');
  t.equal(alerts[0]?.events.length, 40);
  t.ok(alerts[0]?.events.every((e) => (e.doc as { host: { id: string } }).host.id === 'a'));
  t.equal(run(q, events(...many.slice(0, 40))).length, 0, 'thirty-six of host a are not enough');
  t.equal(run('sequence by host.id [network where true] [process where true] with runs=31', evs).length, 0, 'categories still select the stages');
});
