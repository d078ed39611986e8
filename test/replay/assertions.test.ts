import t from 'tap';
import { countSatisfied, judge, mismatchedFields, outcomeOf, valueMatches } from '../../src/replay/assertions.js';
import type { Alert } from '../../src/engine/types.js';
import type { ReplayEvent } from '../../src/events/types.js';

const event = (doc: Record<string, unknown>, key = 'line:1'): ReplayEvent => ({ doc, timestamp: 0, key, dataset: 'd.json', ordinal: 0 });
const alert = (...docs: Record<string, unknown>[]): Alert => ({ events: docs.map((d, i) => event(d, `line:${i + 1}`)), timestamp: 0 });

t.test('valueMatches: strings are exact, numbers numeric, arrays match any element', async (t) => {
  t.ok(valueMatches('wsmprovhost.exe', 'wsmprovhost.exe'));
  t.notOk(valueMatches('WSMPROVHOST.EXE', 'wsmprovhost.exe'), 'case matters: match values are exact');
  t.ok(valueMatches(5985, 5985));
  t.ok(valueMatches('5985', 5985), 'a raw string value equals the number a test wrote');
  t.notOk(valueMatches('5986', 5985));
  t.ok(valueMatches(['start', 'process_started'], 'start'), 'array field: any element');
  t.ok(valueMatches(['a', 'b', 'c'], ['a', 'c']), 'expected array: every element present');
  t.notOk(valueMatches(['a', 'b'], ['a', 'z']));
  t.ok(valueMatches(undefined, null), 'null expects a missing field');
  t.notOk(valueMatches(undefined, 'x'));
  t.ok(valueMatches(true, 'true'));
});

t.test('mismatchedFields lists the fields an event does not satisfy', async (t) => {
  const doc = { process: { name: 'powershell.exe', parent: { name: 'wsmprovhost.exe' } } };
  t.same(mismatchedFields(doc, { 'process.name': 'powershell.exe', 'process.parent.name': 'wsmprovhost.exe' }), []);
  t.same(mismatchedFields(doc, { 'process.name': 'cmd.exe', 'host.name': 'x' }), ['process.name', 'host.name']);
});

t.test('countSatisfied: exact, min, max', async (t) => {
  t.ok(countSatisfied(undefined, 7));
  t.ok(countSatisfied({ exact: 1 }, 1));
  t.notOk(countSatisfied({ exact: 1 }, 2));
  t.ok(countSatisfied({ min: 1, max: 3 }, 3));
  t.notOk(countSatisfied({ min: 1, max: 3 }, 4));
  t.notOk(countSatisfied({ min: 2 }, 1));
});

t.test('judge: every assertion kind and its failure', async (t) => {
  const hit = alert({ process: { name: 'powershell.exe' } });
  t.match(judge({ expect: 'fire' }, outcomeOf([hit])), { passed: true, message: 'fired 1 alert as expected' });
  t.match(judge({ expect: 'fire' }, outcomeOf([])), { passed: false, failure: 'no-alert' });
  t.match(judge({ expect: 'quiet' }, outcomeOf([])), { passed: true });
  t.match(judge({ expect: 'quiet' }, outcomeOf([hit, hit])), { passed: false, failure: 'unexpected-alert', message: 'expected no alert, got 2 alerts' });
  t.match(judge({ expect: 'fire', count: { exact: 2 } }, outcomeOf([hit])), { passed: false, failure: 'count', message: 'expected exactly 2 alert(s), got 1' });
  t.match(judge({ expect: 'fire', count: { min: 1, max: 2 } }, outcomeOf([hit, hit])), { passed: true });
  t.match(judge({ expect: 'fire', match: { 'process.name': 'powershell.exe' } }, outcomeOf([hit])), { passed: true });
  const miss = judge({ expect: 'fire', match: { 'process.name': 'cmd.exe' } }, outcomeOf([hit]));
  t.match(miss, { passed: false, failure: 'match' });
  t.match(miss.message, /none has an event with process.name="cmd.exe"/);
  t.match(
    judge({ expect: 'fire', match: { 'process.name': 'powershell.exe', 'source.ip': '10.0.0.1' } }, outcomeOf([alert({ source: { ip: '10.0.0.1' } }, { process: { name: 'powershell.exe' } })])),
    { passed: false, failure: 'match' },
    'all match values must hold in one event of the alert',
  );
});
