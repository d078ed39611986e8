/**
 * A replay pass keeps what a rule's tests need of its alerts, not the alerts: a count, the first few
 * alerts whole, and for each test with a `match` whether some alert had a matching event. Judging a
 * test on that tally must give the verdict judging it on every alert gives.
 */
import t from 'tap';
import { alertCollector, alertWants } from '../../src/replay/workers.js';
import { judge, outcomeOf } from '../../src/replay/assertions.js';
import type { Alert } from '../../src/engine/types.js';
import type { ReplayEvent } from '../../src/events/types.js';
import type { Rule, TestCase } from '../../src/rules/model.js';
import { rng } from '../fuzz/fuzz-lib.js';

const event = (doc: Record<string, unknown>, i: number): ReplayEvent => ({ doc, timestamp: i, key: `line:${i}`, dataset: 'd.ndjson', ordinal: i });
const NAMES = ['cmd.exe', 'powershell.exe', 'wmic.exe', 'whoami.exe'];
const IPS = ['10.0.0.1', '10.0.0.2', '10.0.0.3'];

function ruleWith(tests: Array<Partial<TestCase>>): Rule {
  return {
    tests: tests.map((x, i) => ({ name: `t${i}`, dataset: 'd.ndjson', expect: 'fire', location: { file: 'r.yml', line: i + 1, column: 1 }, ...x })),
  } as unknown as Rule;
}

t.test('counts every alert, keeps the first ones, notes each match once it is seen', (t) => {
  const rule = ruleWith([{ match: { 'process.name': 'whoami.exe' } }, { dataset: 'other.ndjson', match: { 'process.name': 'cmd.exe' } }, { expect: 'quiet' }, { match: { 'source.ip': '10.9.9.9' } }]);
  const wants = alertWants(rule, 'd.ndjson', 3);
  t.same(wants.matches.map((m) => m.test), [0, 3], 'only tests on this dataset with a match');
  const { tally, onAlert } = alertCollector(wants);
  const alerts: Alert[] = [];
  for (let i = 0; i < 1000; i++) {
    const a: Alert = { events: [event({ process: { name: NAMES[i % 3] } }, i)], timestamp: i };
    alerts.push(a);
    onAlert(a);
  }
  onAlert({ events: [event({ process: { name: 'whoami.exe' } }, 1000)], timestamp: 1000 });
  t.equal(tally.count, 1001);
  t.equal(tally.kept.length, 3, 'no more than asked for are held');
  t.equal(tally.kept[0], alerts[0]);
  t.same(tally.matched, { 0: true, 3: false });
  t.end();
});

t.test('verdicts from the tally equal verdicts from all the alerts (random streams and tests)', (t) => {
  const r = rng(99);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)] as T;
  let compared = 0;
  const problems: string[] = [];
  for (let round = 0; round < 400; round++) {
    const tests: Array<Partial<TestCase>> = [];
    for (let k = 0; k < 4; k++) {
      const test: Partial<TestCase> = { expect: r() < 0.2 ? 'quiet' : 'fire' };
      if (r() < 0.6) test.match = r() < 0.5 ? { 'process.name': pick(NAMES) } : { 'process.name': pick(NAMES), 'source.ip': pick(IPS) };
      if (r() < 0.3) test.count = r() < 0.5 ? { exact: Math.floor(r() * 4) } : { min: 1, max: 1 + Math.floor(r() * 5) };
      if (r() < 0.2) test.dataset = 'other.ndjson';
      tests.push(test);
    }
    const rule = ruleWith(tests);
    const { tally, onAlert } = alertCollector(alertWants(rule, 'd.ndjson', Math.floor(r() * 3)));
    const alerts: Alert[] = [];
    const n = Math.floor(r() * 8);
    for (let i = 0; i < n; i++) {
      const events = Array.from({ length: 1 + Math.floor(r() * 2) }, (_, j) => event(r() < 0.5 ? { process: { name: pick(NAMES) }, source: { ip: pick(IPS) } } : { process: { name: pick(NAMES) } }, i * 10 + j));
      const a = { events, timestamp: i };
      alerts.push(a);
      onAlert(a);
    }
    rule.tests.forEach((test, i) => {
      if (test.dataset !== 'd.ndjson') return;
      const whole = judge(test, outcomeOf(alerts));
      const tallied = judge(test, { count: tally.count, someMatch: () => tally.matched[i] === true });
      compared++;
      if (JSON.stringify(whole) !== JSON.stringify(tallied)) problems.push(`${JSON.stringify(test)}: ${JSON.stringify(whole)} ≠ ${JSON.stringify(tallied)}`);
    });
  }
  t.same(problems, []);
  t.ok(compared > 1000, `${compared} verdicts compared`);
  t.end();
});
