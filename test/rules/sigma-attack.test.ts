import t from 'tap';
import { threatFromSigmaTags } from '../../src/rules/sigma-attack.js';

t.test('technique tags pair with the rule tactic tags they belong to, with catalogue names', async (t) => {
  const threat = threatFromSigmaTags(['attack.execution', 'attack.t1047', 'attack.lateral-movement', 'attack.t1021.003', 'attack.s0002', 'detection.threat-hunting']);
  t.same(
    threat.map((m) => [m.tactic?.id, m.technique?.id, m.technique?.name, m.subtechnique?.id, m.subtechnique?.name]),
    [
      ['TA0002', 'T1047', 'Windows Management Instrumentation', undefined, undefined],
      ['TA0008', 'T1021', 'Remote Services', 'T1021.003', 'Distributed Component Object Model'],
    ],
  );
  t.equal(threat[1]?.subtechnique?.path, 'tags.3', 'positions point at the tag');
  t.equal(threat[0]?.tactic?.path, 'tags.0');
});

t.test('old underscore tactic tags, tactic-only tags and unknown ids', async (t) => {
  const threat = threatFromSigmaTags(['attack.lateral_movement', 'attack.defense-evasion', 'attack.t9999', 'attack.T1021.006']);
  const rows = threat.map((m) => [m.tactic?.id ?? null, m.technique?.id ?? null, m.subtechnique?.id ?? null, m.technique?.name ?? null]);
  t.same(rows, [
    [null, 'T9999', null, ''],
    ['TA0008', 'T1021', 'T1021.006', 'Remote Services'],
    ['TA0005', null, null, null],
  ], 'an unknown id is kept, nameless, for attack/unknown-id to report; an unmatched tactic stands alone');
});
